import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { checkBytes, type CryptoProvider } from './crypto-provider.js';

/** Pure-JS crypto from @noble/curves and @noble/hashes; runs on XS and Node alike. */
export const nobleCrypto: CryptoProvider = {
  name: 'noble',
  sha256(data) {
    return sha256(data);
  },
  sha256Stream() {
    const h = sha256.create();
    return {
      update: (data) => void h.update(data),
      digest: () => h.digest(),
    };
  },
  publicKey(secretKey) {
    checkBytes('secretKey', secretKey, 32);
    return ed25519.getPublicKey(secretKey);
  },
  sign(message, secretKey) {
    checkBytes('secretKey', secretKey, 32);
    return ed25519.sign(message, secretKey);
  },
  verify(signature, message, publicKey) {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false; // a point that does not decode is just a bad signature
    }
  },
};
