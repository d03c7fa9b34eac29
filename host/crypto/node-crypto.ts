import { createHash, createPrivateKey, createPublicKey, hash, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { checkBytes, type CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { KeyCache } from './key-cache.js';

/**
 * node:crypto (OpenSSL) behind the same seam as nobleCrypto: same bytes,
 * faster on a hub. Raw 32-byte Ed25519 keys are wrapped in the fixed DER
 * prefixes of PKCS#8 (RFC 8410 §7) and SPKI (RFC 8410 §4).
 */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Key objects are costly to build; a hub verifies its fleet's keys all day, a simulator signs for its whole fleet.
const FLEET_KEYS = 16_384;
const publicKeys = new KeyCache<KeyObject>(FLEET_KEYS);
const privateKeys = new KeyCache<KeyObject>(FLEET_KEYS);

function privateKey(secretKey: Uint8Array): KeyObject {
  return privateKeys.get(secretKey, () => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' }));
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return publicKeys.get(publicKey, () => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }));
}

export const nodeCrypto: CryptoProvider = {
  name: 'node:crypto',
  sha256(data) {
    // The one-shot hash builds no Hash object: a third faster for an entry-sized input.
    // Its Buffer has a 32-byte memory of its own: a plain Uint8Array over it, not a copy.
    const d = hash('sha256', data, 'buffer');
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  },
  sha256Stream() {
    const h = createHash('sha256');
    return {
      update: (data) => void h.update(data),
      digest: () => new Uint8Array(h.digest()),
    };
  },
  publicKey(secretKey) {
    checkBytes('secretKey', secretKey, 32);
    const der = createPublicKey(privateKey(secretKey)).export({ format: 'der', type: 'spki' });
    return new Uint8Array(der.subarray(der.length - 32));
  },
  sign(message, secretKey) {
    checkBytes('secretKey', secretKey, 32);
    return new Uint8Array(nodeSign(null, message, privateKey(secretKey)));
  },
  verify(signature, message, publicKey) {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
    try {
      return nodeVerify(null, message, publicKeyObject(publicKey), signature);
    } catch {
      return false; // a key that is not a curve point is just a failed verification
    }
  },
};
