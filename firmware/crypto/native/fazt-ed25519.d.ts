/**
 * fazt/ed25519 (fazt-ed25519.js): Ed25519 host functions over libsodium,
 * present only in a Moddable build that includes this folder's manifest.
 * Seeds and public keys are 32 bytes, signatures 64; a wrong length throws
 * a RangeError naming the argument, a value that holds no bytes a TypeError.
 */
declare module 'fazt/ed25519' {
  type Bytes = Uint8Array | ArrayBuffer;
  /** The public key of a 32-byte seed (RFC 8032 §5.1.5). */
  export function publicKey(seed: Bytes): ArrayBuffer;
  /** The 64-byte signature of `message` by `seed`'s key (RFC 8032 §5.1.6). */
  export function sign(message: Bytes, seed: Bytes): ArrayBuffer;
  /** Whether `signature` is `publicKey`'s signature of `message` (libsodium's crypto_sign_verify_detached). */
  export function verify(signature: Bytes, message: Bytes, publicKey: Bytes): boolean;
}
