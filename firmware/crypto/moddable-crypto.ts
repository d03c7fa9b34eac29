import { checkBytes, type CryptoProvider } from './crypto-provider.js';

/**
 * Moddable's `crypt` Digest class (modules/crypt/digest/crypt.js), as far as
 * SHA-256 needs it. The SDK's typings take an ArrayBuffer (or a string).
 */
export interface DigestClass {
  new (type: 'SHA256'): { write(data: ArrayBuffer): void; close(): ArrayBuffer; reset(): void };
}

/** The project's native Ed25519 module (firmware/crypto/native/fazt-ed25519.js, over libsodium). */
export interface NativeEd25519 {
  publicKey(seed: Uint8Array): ArrayBuffer;
  sign(message: Uint8Array, seed: Uint8Array): ArrayBuffer;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export interface ModdableCryptoModules {
  Digest: DigestClass;
  ed25519: NativeEd25519;
}

/** The bytes as an ArrayBuffer of their own: the view's buffer when it covers all of it, else a copy. */
function wholeBuffer(data: Uint8Array): ArrayBuffer {
  const b = data.buffer as ArrayBuffer;
  return data.byteOffset === 0 && data.byteLength === b.byteLength ? b : (data.slice().buffer as ArrayBuffer);
}

/**
 * Crypto in native code on a Moddable device: SHA-256 through the SDK's
 * `crypt` Digest, Ed25519 through libsodium (the module in native/). Both
 * modules are passed in (device-main.ts imports them), so this runs on Node
 * and in xsnap too, with stand-ins. Same bytes as nobleCrypto; verify is
 * libsodium's, which also refuses what RFC 8032 allows it to (small-order
 * keys, non-canonical encodings), never a signature an honest key made.
 */
export function moddableCrypto(modules: ModdableCryptoModules): CryptoProvider {
  const { Digest, ed25519 } = modules;
  let digest: InstanceType<DigestClass> | undefined;
  return {
    name: 'moddable-native',
    sha256(data) {
      checkBytes('data', data);
      // One Digest, reset for each hash: a native context allocated once.
      digest ??= new Digest('SHA256');
      digest.reset();
      digest.write(wholeBuffer(data));
      return new Uint8Array(digest.close());
    },
    sha256Stream() {
      // A context of its own: the shared one above may be used between two pieces.
      const d = new Digest('SHA256');
      return {
        update(data) {
          checkBytes('data', data);
          d.write(wholeBuffer(data));
        },
        digest: () => new Uint8Array(d.close()),
      };
    },
    publicKey(secretKey) {
      checkBytes('secretKey', secretKey, 32);
      return new Uint8Array(ed25519.publicKey(secretKey));
    },
    sign(message, secretKey) {
      checkBytes('message', message);
      checkBytes('secretKey', secretKey, 32);
      return new Uint8Array(ed25519.sign(message, secretKey));
    },
    verify(signature, message, publicKey) {
      // The native module throws for wrong types and lengths; the provider's contract is `false`.
      if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
      if (!(message instanceof Uint8Array)) return false;
      return ed25519.verify(signature, message, publicKey) === true;
    },
  };
}
