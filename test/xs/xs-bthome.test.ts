import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BthomeParseOptions } from '../../firmware/ble/bthome.js';
import { XsSession } from '../../sim/xs/xs-session.js';
import { bthomeVectors } from '../helpers/vectors.js';
import { bthomeOutcome } from './entries/bthome-outcome.js';

/**
 * The BTHome v2 parser inside the real XS engine (so an ESP32 can later
 * proxy BLE sensors): the published plaintext examples, an encrypted
 * packet's header and every refusal give the same packets, values (the same
 * doubles) and errors as on Node. No skip: if XS is missing, this fails.
 */
const entry = new URL('./entries/bthome-entry.ts', import.meta.url).pathname;
let xs: XsSession;

const byId = (hex: string) => parseInt(hex.slice(0, 2), 16);
const every = bthomeVectors.objects
  .map((v) => v.hex)
  .sort((a, b) => byId(a) - byId(b))
  .join('');

const CASES: { hex: string; o?: BthomeParseOptions }[] = [
  ...bthomeVectors.objects.map((v) => ({ hex: `40${v.hex}` })),
  { hex: `40${every}` },
  ...bthomeVectors.packets.map((v) => ({ hex: v.hex })),
  ...bthomeVectors.encrypted.map((v) => ({ hex: v.hex })),
  { hex: `44${'0009'}${'03bf13'}${'02ca09'}` },
  { hex: '' },
  { hex: '2002c409' },
  { hex: '4002c4' },
  { hex: '40530c48656c6c6f' },
  { hex: '41001122334455' },
  { hex: '4002c4096601' },
  { hex: '4002c4096601', o: { unknown: 'stop' } },
  { hex: '403a07' },
  { hex: '405302c328' },
];

describe('BTHome v2 parser on XS', () => {
  before(async () => {
    xs = await XsSession.start(entry);
  });
  after(async () => {
    await xs?.close();
  });

  it('really runs in XS', async () => {
    const { value } = await xs.call<Record<string, unknown>>('engine');
    assert.deepStrictEqual(value, { issueCommand: 'function', process: 'undefined' });
  });

  it('decodes every published plaintext example, the encrypted headers and every refusal identically to Node', async () => {
    const { value } = await xs.call<unknown[]>('parse', CASES);
    const onNode = CASES.map((c) => bthomeOutcome(c.hex, c.o));
    assert.deepStrictEqual(value, onNode);
    // The comparison means something: values decoded, and each kind of refusal present.
    const objects = (onNode[bthomeVectors.objects.length] as { objects: { value: unknown }[] }).objects;
    assert.deepStrictEqual(
      objects.map((o) => o.value),
      [...bthomeVectors.objects].sort((a, b) => byId(a.hex) - byId(b.hex)).map((v) => v.value),
    );
    const codes = onNode.map((r) => (r as { code?: string }).code).filter(Boolean);
    assert.deepStrictEqual(codes, ['truncated', 'not-v2', 'truncated', 'truncated', 'truncated', 'unknown-object', 'unknown-event', 'bad-text']);
  });

  it('names BthomeError with Error.prototype frozen, as in a Moddable build (runs last: it freezes)', async () => {
    assert.equal((await xs.call<string>('frozenError')).value, 'BthomeError:truncated:m (at byte 3)');
  });
});
