import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { isValueMap, type Value, type ValueMap } from '../../firmware/codec/value.js';
import { checkBytes } from '../../firmware/crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';

/**
 * Sealing a secret for one recipient before it is chirped: Chirp carries
 * bytes in the clear, so anything secret is sealed first with the
 * project's own keys (each node's Ed25519 key pair, firmware/identity).
 *
 * An anonymous sealed box in the manner of libsodium's crypto_box_seal:
 *   e (32 bytes of injected entropy), E = X25519(e, 9)
 *   R = the recipient's Ed25519 public key as X25519 (ed25519.utils.toMontgomery, RFC 7748 birational map)
 *   s = X25519(e, R), refused if all zero (a low-order key)
 *   key ‖ nonce = HKDF-SHA256(s, salt = E ‖ R, info = "fazt/chirp/seal/v1"), 32 + 12 bytes (RFC 5869)
 *   c = ChaCha20-Poly1305(key, nonce, plaintext, aad = info ‖ recipient's Ed25519 key) (RFC 8439)
 * The sealed value is the map {"v": 1, "e": E, "c": c} (deterministic CBOR,
 * 52 bytes plus the plaintext plus about 10 of CBOR). The recipient opens it
 * with toMontgomerySecret of its Ed25519 seed. With `signWith` the sender
 * adds "from" (its Ed25519 public key) and "sig", an Ed25519 signature over
 * the CBOR of ["fazt/chirp/seal/v1", E, c, recipient key]: the recipient
 * then knows who sealed it (+ about 100 bytes).
 *
 * The AEAD here is node:crypto's ChaCha20-Poly1305 (OpenSSL): hubs only.
 * Sealing on a node under XS needs a portable AEAD: @noble/ciphers
 * (chacha20poly1305), which is not installed.
 */
const INFO = new TextEncoder().encode('fazt/chirp/seal/v1');

export interface SealOptions {
  /** Entropy for the ephemeral key (default node:crypto randomBytes). */
  entropy?: (n: number) => Uint8Array;
  /** The sender's Ed25519 seed: sign the sealed box. */
  signWith?: Uint8Array;
}

function derive(shared: Uint8Array, ephemeral: Uint8Array, recipientX: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  if (shared.every((b) => b === 0)) throw new FaztError('seal', 'the recipient key is a low-order point');
  const salt = new Uint8Array(64);
  salt.set(ephemeral);
  salt.set(recipientX, 32);
  const okm = hkdf(sha256, shared, salt, INFO, 44);
  return { key: okm.subarray(0, 32), nonce: okm.subarray(32) };
}

function aad(recipient: Uint8Array): Uint8Array {
  const a = new Uint8Array(INFO.length + 32);
  a.set(INFO);
  a.set(recipient, INFO.length);
  return a;
}

function signed(e: Uint8Array, c: Uint8Array, recipient: Uint8Array): Uint8Array {
  return encodeCbor(['fazt/chirp/seal/v1', e, c, recipient]);
}

/** `plaintext` sealed for the holder of `recipientPublicKey` (Ed25519, 32 bytes), as a CBOR-ready map. */
export function seal(plaintext: Uint8Array, recipientPublicKey: Uint8Array, o: SealOptions = {}): ValueMap {
  checkBytes('plaintext', plaintext);
  checkBytes('recipientPublicKey', recipientPublicKey, 32);
  const secret = (o.entropy ?? ((n: number) => new Uint8Array(randomBytes(n))))(32);
  checkBytes('entropy()', secret, 32);
  const recipientX = ed25519.utils.toMontgomery(recipientPublicKey);
  const e = x25519.getPublicKey(secret);
  const { key, nonce } = derive(x25519.getSharedSecret(secret, recipientX), e, recipientX);
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad(recipientPublicKey), { plaintextLength: plaintext.length });
  const c = new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
  const box: ValueMap = { v: 1, e, c };
  if (o.signWith) {
    checkBytes('signWith', o.signWith, 32);
    box.from = ed25519.getPublicKey(o.signWith);
    box.sig = ed25519.sign(signed(e, c, recipientPublicKey), o.signWith);
  }
  return box;
}

/** Whether a received value is a sealed box. */
export function isSealed(v: Value): v is ValueMap {
  return isValueMap(v) && v.v === 1 && v.e instanceof Uint8Array && v.c instanceof Uint8Array;
}

/**
 * Opens a sealed box with the recipient's Ed25519 seed. Throws
 * FaztError('unseal') when it is not a box, is for another key or was
 * altered; `from` is the verified sender's public key when it was signed.
 */
export function open(box: Value, recipientSecretKey: Uint8Array): { plaintext: Uint8Array; from?: Uint8Array } {
  checkBytes('recipientSecretKey', recipientSecretKey, 32);
  if (!isSealed(box) || (box.e as Uint8Array).length !== 32 || (box.c as Uint8Array).length < 16) throw new FaztError('unseal', 'not a sealed box (v 1)');
  const e = box.e as Uint8Array;
  const c = box.c as Uint8Array;
  const recipient = ed25519.getPublicKey(recipientSecretKey);
  const recipientX = ed25519.utils.toMontgomery(recipient);
  const { key, nonce } = derive(x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(recipientSecretKey), e), e, recipientX);
  let plaintext: Uint8Array;
  try {
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    d.setAAD(aad(recipient), { plaintextLength: c.length - 16 });
    d.setAuthTag(c.subarray(c.length - 16));
    plaintext = new Uint8Array(Buffer.concat([d.update(c.subarray(0, c.length - 16)), d.final()]));
  } catch (err) {
    throw new FaztError('unseal', 'the sealed box does not open with this key (another recipient, or altered)', { cause: err });
  }
  if (box.from === undefined && box.sig === undefined) return { plaintext };
  const from = box.from;
  const sig = box.sig;
  let good = false;
  try {
    good = from instanceof Uint8Array && sig instanceof Uint8Array && ed25519.verify(sig, signed(e, c, recipient), from);
  } catch {
    good = false;
  }
  if (!good) throw new FaztError('unseal', 'the sealed box carries a sender signature that does not verify');
  return { plaintext, from: from as Uint8Array };
}
