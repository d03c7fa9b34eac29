import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../firmware/codec/text-encodings.js';
import { nobleCrypto } from '../firmware/crypto/noble-crypto.js';
import { generateIdentity, identityFromSecretKey, isNodeId, nodeIdFromPublicKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { identityVectors } from './helpers/vectors.js';

for (const crypto of [nobleCrypto, nodeCrypto]) {
  describe(`identity with ${crypto.name}`, () => {
    for (const v of identityVectors) {
      it(`${v.name}: public key, signature, node id`, () => {
        const id = identityFromSecretKey(fromHex(v.secretKey), crypto);
        assert.equal(toHex(id.publicKey), v.publicKey);
        assert.equal(toHex(crypto.sign(fromHex(v.message), id.secretKey)), v.signature);
        assert.ok(crypto.verify(fromHex(v.signature), fromHex(v.message), id.publicKey));
        assert.equal(id.id, v.nodeId);
      });
    }
    it('verify is false (not a throw) for wrong, short or garbage input', () => {
      const v = identityVectors[0];
      const sig = fromHex(v.signature);
      sig[5] ^= 0x40;
      assert.equal(crypto.verify(sig, fromHex(v.message), fromHex(v.publicKey)), false);
      assert.equal(crypto.verify(new Uint8Array(63), new Uint8Array(0), fromHex(v.publicKey)), false);
      assert.equal(crypto.verify(fromHex(v.signature), new Uint8Array(0), new Uint8Array(32).fill(0xff)), false);
    });
    it('sha256 of "abc" (FIPS 180-2 appendix B.1)', () => {
      assert.equal(toHex(crypto.sha256(new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    });
  });
}

describe('node ids', () => {
  it('are "fz" + 24 base32 characters of SHA-256(public key)', () => {
    const pk = fromHex(identityVectors[0].publicKey);
    const id = nodeIdFromPublicKey(pk, nobleCrypto);
    assert.ok(isNodeId(id));
    assert.equal(id.length, 26);
    assert.equal(isNodeId('fzABC'), false);
  });
  it('come from injected entropy and refuse a short seed', () => {
    const id = generateIdentity((n) => new Uint8Array(n).fill(3), nobleCrypto);
    assert.equal(id.id, identityFromSecretKey(new Uint8Array(32).fill(3), nobleCrypto).id);
    assert.throws(() => generateIdentity(() => new Uint8Array(5), nobleCrypto), /32 bytes/);
    assert.throws(() => identityFromSecretKey(new Uint8Array(31), nobleCrypto), /secretKey must be 32 bytes/);
  });
});
