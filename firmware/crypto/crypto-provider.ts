/**
 * The crypto seam. The firmware uses the portable noble implementation; the
 * hub may pass node:crypto's (host/crypto/node-crypto.ts), which gives the same
 * bytes faster. Ed25519 (RFC 8032) keys are 32-byte seeds and 32-byte public keys.
 */
/** SHA-256 over data that arrives in pieces (a firmware image, chunk by chunk). */
export interface Sha256Stream {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export interface CryptoProvider {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  sha256Stream(): Sha256Stream;
  publicKey(secretKey: Uint8Array): Uint8Array;
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** False for any signature that does not verify, including malformed ones; never throws for bad bytes. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export function checkBytes(name: string, v: unknown, length?: number): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (length !== undefined && v.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${v.length}`);
}
