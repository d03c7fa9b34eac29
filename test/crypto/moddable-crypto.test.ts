import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { moddableCrypto } from '../../firmware/crypto/moddable-crypto.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { digestSim, ed25519Sim } from '../../sim/moddable/native-crypto-sim.js';
import { rfc8032Vectors } from '../helpers/vectors.js';

/**
 * The Moddable crypto provider (firmware/crypto/moddable-crypto.ts) on Node,
 * with the two native modules it is given on a device stood in for by
 * node:crypto (sim/moddable/native-crypto-sim.ts). The native Ed25519 code
 * itself is tested in test/native/; inside XS in test/xs/xs-moddable-crypto.test.ts.
 */
function provider() {
  const Digest = digestSim();
  const ed25519 = ed25519Sim();
  return { crypto: moddableCrypto({ Digest, ed25519 }), Digest, ed25519 };
}

describe('moddableCrypto: SHA-256 through the SDK Digest, Ed25519 through the native module', () => {
  it('gives RFC 8032 §7.1’s public keys and signatures, and verifies them', () => {
    const { crypto } = provider();
    for (const v of rfc8032Vectors) {
      assert.equal(toHex(crypto.publicKey(fromHex(v.secretKey))), v.publicKey, v.name);
      const sig = crypto.sign(fromHex(v.message), fromHex(v.secretKey));
      assert.ok(sig instanceof Uint8Array);
      assert.equal(toHex(sig), v.signature, v.name);
      assert.equal(crypto.verify(sig, fromHex(v.message), fromHex(v.publicKey)), true, v.name);
    }
  });

  it('hashes as SHA-256 (FIPS 180-4 "abc"), whole buffers and views into larger ones, one native context for all', () => {
    const { crypto, Digest } = provider();
    assert.equal(toHex(crypto.sha256(new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(toHex(crypto.sha256(new Uint8Array(0))), createHash('sha256').update('').digest('hex'));
    const big = new Uint8Array(1000).map((_, i) => i * 7);
    const view = big.subarray(13, 900);
    assert.equal(toHex(crypto.sha256(view)), createHash('sha256').update(view).digest('hex'));
    assert.deepStrictEqual(big.subarray(13, 900), view, 'the caller’s bytes are left alone');
    assert.equal(toHex(crypto.sha256(big)), createHash('sha256').update(big).digest('hex'));
    assert.equal(Digest.constructed, 1);
  });

  it('streams SHA-256 in pieces (views too) to the same digest as node:crypto and nobleCrypto, while whole hashes go on between pieces', async () => {
    const { nodeCrypto } = await import('../../host/crypto/node-crypto.js');
    const image = new Uint8Array(5000).map((_, i) => (i * 31) & 0xff);
    const want = createHash('sha256').update(image).digest('hex');
    for (const c of [provider().crypto, nobleCrypto, nodeCrypto]) {
      const h = c.sha256Stream();
      for (let at = 0; at < image.length; at += 1024) {
        h.update(image.subarray(at, at + 1024));
        c.sha256(Uint8Array.of(at & 0xff)); // a whole hash between pieces must not disturb the stream
      }
      assert.equal(toHex(h.digest()), want, c.name);
    }
  });

  it('makes the same node identity and signatures as nobleCrypto', () => {
    const { crypto } = provider();
    const seed = new Uint8Array(32).fill(7);
    const a = identityFromSecretKey(seed, crypto);
    const b = identityFromSecretKey(seed, nobleCrypto);
    assert.equal(a.id, b.id);
    assert.deepStrictEqual(a.publicKey, b.publicKey);
    const m = new TextEncoder().encode('a batch head');
    assert.deepStrictEqual(crypto.sign(m, seed), nobleCrypto.sign(m, seed));
    assert.equal(nobleCrypto.verify(crypto.sign(m, seed), m, a.publicKey), true);
  });

  it('refuses a tampered signature, message or key', () => {
    const { crypto } = provider();
    const v = rfc8032Vectors[2];
    const sig = fromHex(v.signature);
    const m = fromHex(v.message);
    const pk = fromHex(v.publicKey);
    const flipped = (b: Uint8Array, at: number) => b.map((x, i) => (i === at ? x ^ 1 : x));
    assert.equal(crypto.verify(flipped(sig, 0), m, pk), false);
    assert.equal(crypto.verify(flipped(sig, 63), m, pk), false);
    assert.equal(crypto.verify(sig, flipped(m, 1), pk), false);
    assert.equal(crypto.verify(sig, m, fromHex(rfc8032Vectors[1].publicKey)), false);
  });

  it('answers false for malformed signatures and keys without calling the native module (which would throw)', () => {
    const { crypto, ed25519 } = provider();
    const m = new Uint8Array(3);
    assert.equal(crypto.verify(new Uint8Array(63), m, new Uint8Array(32)), false);
    assert.equal(crypto.verify(new Uint8Array(64), m, new Uint8Array(31)), false);
    assert.equal(crypto.verify('sig' as unknown as Uint8Array, m, new Uint8Array(32)), false);
    assert.equal(crypto.verify(new Uint8Array(64), 'message' as unknown as Uint8Array, new Uint8Array(32)), false);
    assert.equal(ed25519.calls, 0);
  });

  it('throws TypeError or RangeError naming the argument for a caller’s mistake', () => {
    const { crypto } = provider();
    assert.throws(() => crypto.sha256('abc' as unknown as Uint8Array), { name: 'TypeError', message: /data must be a Uint8Array/ });
    assert.throws(() => crypto.publicKey(new Uint8Array(31)), { name: 'RangeError', message: /secretKey must be 32 bytes, got 31/ });
    assert.throws(() => crypto.sign(new Uint8Array(1), new Uint8Array(33)), { name: 'RangeError', message: /secretKey must be 32 bytes, got 33/ });
    assert.throws(() => crypto.sign([1, 2] as unknown as Uint8Array, new Uint8Array(32)), { name: 'TypeError', message: /message must be a Uint8Array/ });
  });
});

describe('the native-module stand-ins behave as the device’s', () => {
  it('Digest refuses write after close until reset, and takes only what the SDK typings allow', () => {
    const Digest = digestSim();
    const d = new Digest('SHA256');
    d.write(new ArrayBuffer(1));
    d.close();
    assert.throws(() => d.write(new ArrayBuffer(1)), /after close/);
    d.reset();
    assert.throws(() => d.write(new Uint8Array(1) as unknown as ArrayBuffer), TypeError);
  });

  it('the Ed25519 stand-in throws as fazt-ed25519-xs.c does', () => {
    const ed = ed25519Sim();
    assert.throws(() => ed.publicKey(new Uint8Array(5)), { name: 'RangeError', message: 'seed must be 32 bytes, got 5' });
    assert.throws(() => ed.sign('m' as unknown as Uint8Array, new Uint8Array(32)), {
      name: 'TypeError',
      message: 'message must be a Uint8Array or an ArrayBuffer',
    });
    assert.throws(() => ed.verify(new Uint8Array(64), new Uint8Array(0), new Uint8Array(3)), {
      name: 'RangeError',
      message: 'publicKey must be 32 bytes, got 3',
    });
  });
});
