/**
 * Bundled for XS by test/xs/xs-moddable-crypto.test.ts: the Moddable crypto
 * provider inside xsnap-worker, given JavaScript stand-ins for the two native
 * modules (xsnap has neither the SDK's crypt nor libsodium): that the
 * provider's own code runs on XS, not what the native code costs.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import { moddableCrypto } from '../../../firmware/crypto/moddable-crypto.js';
import { serveCommands } from '../../../sim/xs/xs-guest.js';

const copy = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

class Digest {
  private h = sha256.create();
  write(data: ArrayBuffer): void {
    if (!(data instanceof ArrayBuffer)) throw new TypeError('crypt: Digest.write takes an ArrayBuffer');
    this.h.update(new Uint8Array(data));
  }
  close(): ArrayBuffer {
    return copy(this.h.digest());
  }
  reset(): void {
    this.h = sha256.create();
  }
}

const crypto = moddableCrypto({
  Digest,
  ed25519: {
    publicKey: (seed) => copy(ed25519.getPublicKey(seed)),
    sign: (message, seed) => copy(ed25519.sign(message, seed)),
    verify: (signature, message, publicKey) => ed25519.verify(signature, message, publicKey),
  },
});

serveCommands({
  vectors: (vectors: { secretKey: string; message: string }[]) =>
    vectors.map((v) => {
      const seed = fromHex(v.secretKey);
      const message = fromHex(v.message);
      const signature = crypto.sign(message, seed);
      const publicKey = crypto.publicKey(seed);
      return { publicKey: toHex(publicKey), signature: toHex(signature), verified: crypto.verify(signature, message, publicKey) };
    }),
  sha256: (hex: string, from: number) => toHex(crypto.sha256(fromHex(hex).subarray(from))),
});
