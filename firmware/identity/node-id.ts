import { FaztError } from '../../hal/contracts/errors.js';
import { toBase32 } from '../codec/text-encodings.js';
import { checkBytes, type CryptoProvider } from '../crypto/crypto-provider.js';

/**
 * A node id is "fz" followed by the first 15 bytes of SHA-256(Ed25519 public
 * key) in lower-case RFC 4648 base32 without padding: 2 + 24 characters, for
 * example "fzq3kd…". 120 bits keep collisions out of reach for personal fleets,
 * and anyone holding the public key can check the id.
 */
export const NODE_ID_PATTERN = /^fz[a-z2-7]{24}$/;

export function nodeIdFromPublicKey(publicKey: Uint8Array, crypto: CryptoProvider): string {
  checkBytes('publicKey', publicKey, 32);
  return 'fz' + toBase32(crypto.sha256(publicKey).subarray(0, 15));
}

export function isNodeId(s: unknown): s is string {
  return typeof s === 'string' && NODE_ID_PATTERN.test(s);
}

export interface NodeIdentity {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** An identity from a 32-byte Ed25519 seed; the seed comes from injected entropy, never Math.random. */
export function identityFromSecretKey(secretKey: Uint8Array, crypto: CryptoProvider): NodeIdentity {
  checkBytes('secretKey', secretKey, 32);
  const publicKey = crypto.publicKey(secretKey);
  return { id: nodeIdFromPublicKey(publicKey, crypto), publicKey, secretKey };
}

export function generateIdentity(entropy: (n: number) => Uint8Array, crypto: CryptoProvider): NodeIdentity {
  const seed = entropy(32);
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new FaztError('entropy', 'entropy source did not return 32 bytes');
  return identityFromSecretKey(seed, crypto);
}
