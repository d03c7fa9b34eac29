import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { XsSession } from '../../sim/xs/xs-session.js';
import { rfc8032Vectors } from '../helpers/vectors.js';

/**
 * firmware/crypto/moddable-crypto.ts inside the real XS engine, with
 * JavaScript stand-ins for the native modules (see the entry). No skip: if
 * XS is missing, this suite fails.
 */
const entry = new URL('./entries/moddable-crypto-entry.ts', import.meta.url).pathname;
let xs: XsSession;

describe('the Moddable crypto provider on XS', () => {
  before(async () => {
    xs = await XsSession.start(entry);
  });
  after(async () => {
    await xs?.close();
  });

  it('derives, signs and verifies RFC 8032 §7.1’s vectors', async () => {
    const { value } = await xs.call<{ publicKey: string; signature: string; verified: boolean }[]>('vectors', rfc8032Vectors);
    assert.deepStrictEqual(
      value,
      rfc8032Vectors.map((v) => ({ publicKey: v.publicKey, signature: v.signature, verified: true })),
    );
  });

  it('hashes a view into a larger buffer as SHA-256', async () => {
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 31) & 255));
    const { value } = await xs.call<string>('sha256', bytes.toString('hex'), 17);
    assert.equal(value, createHash('sha256').update(bytes.subarray(17)).digest('hex'));
  });
});
