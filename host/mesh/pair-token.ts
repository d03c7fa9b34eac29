import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { fromBase64url, toBase64url } from '../../firmware/codec/text-encodings.js';
import { isValueMap, type Value } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { isInviteBytes } from '../../firmware/mnemonic/invite-words.js';
import { decodeMnemonic, type DecodeMnemonicOptions, encodeMnemonic } from '../../firmware/mnemonic/mnemonic.js';
import { MeshError } from './mesh-error.js';

/**
 * What a person carries from the inviting hub to the other one: the invite's
 * 16-byte secret, the first 16 bytes of the SHA-256 of the inviting hub's key
 * (its fingerprint: the accepting hub pairs only with the hub holding that
 * key) and, when known, where to reach it. Three forms of one invite:
 * - token: "fzp1" + base64url(secret ‖ fingerprint), then "@" + URL when known;
 * - words: those 32 bytes as 24 BIP-39 words (no URL: given beside them, or Beacon);
 * - sound: a Chirp of the inviting hub's whole key, URL, secret and expiry, signed by that key.
 */
export interface PairInvite {
  secret: Uint8Array;
  fingerprint: Uint8Array;
  url?: string;
}

const SOUND_DOMAIN = 'fazt/mesh-pair-sound/v1';
const TOKEN = /^fzp1([A-Za-z0-9_-]{43})(?:@(https?:\/\/\S+))?$/;

const bad = (m: string): never => {
  throw new MeshError('pair-invite', m);
};

/** The first 16 bytes of SHA-256 over a hub's public key. */
export function keyFingerprint(publicKey: Uint8Array, crypto: CryptoProvider): Uint8Array {
  return crypto.sha256(publicKey).subarray(0, 16);
}

function core(i: PairInvite): Uint8Array {
  if (i.secret.length !== 16 || i.fingerprint.length !== 16) throw new RangeError('secret and fingerprint must be 16 bytes each');
  const b = new Uint8Array(32);
  b.set(i.secret, 0);
  b.set(i.fingerprint, 16);
  return b;
}

const split = (b: Uint8Array, url?: string): PairInvite => ({
  secret: b.slice(0, 16),
  fingerprint: b.slice(16, 32),
  ...(url !== undefined ? { url } : {}),
});

export function pairInviteToToken(i: PairInvite): string {
  return `fzp1${toBase64url(core(i))}${i.url !== undefined ? `@${i.url}` : ''}`;
}

export function pairInviteFromToken(text: string): PairInvite {
  const m = typeof text === 'string' ? TOKEN.exec(text.trim()) : null;
  if (!m) return bad('not a pairing invite token (fzp1 and 43 base64url characters, then @URL when the URL is carried)');
  return split(fromBase64url(m[1]), m[2]);
}

export function pairInviteToWords(i: PairInvite): string[] {
  return encodeMnemonic(core(i));
}

/** 24 words → the invite (checksum-validated; --fuzzy repairs as decodeMnemonic does). */
export function pairInviteFromWords(text: string, options: DecodeMnemonicOptions = {}): PairInvite {
  const { bytes } = decodeMnemonic(text, options);
  if (bytes.length !== 32) bad(`a pairing invite is 24 words; these are ${bytes.length === 16 ? 12 : 48}`);
  if (isInviteBytes(bytes)) bad('these words are a node enrolment invite (fazt invite), not a pairing invite (fazt mesh pair)');
  return split(bytes);
}

export interface SoundPairInvite extends PairInvite {
  /** The inviting hub's whole key (the sound has room for it). */
  publicKey: Uint8Array;
  expires: number;
}

function soundSigned(key: Uint8Array, url: string, secret: Uint8Array, expires: number): Uint8Array {
  return encodeCbor([SOUND_DOMAIN, key, url, secret, expires]);
}

/** The invite as a value to chirp, signed by the inviting hub: a listener can tell it was not altered in the air. */
export function signSoundPairInvite(i: { secret: Uint8Array; url: string; expires: number }, hub: NodeIdentity, crypto: CryptoProvider): Value {
  return {
    v: 1,
    pair: hub.publicKey,
    url: i.url,
    secret: i.secret,
    expires: i.expires,
    sig: crypto.sign(soundSigned(hub.publicKey, i.url, i.secret, i.expires), hub.secretKey),
  };
}

/** A heard pairing invite: shape, signature and expiry checked. */
export function openSoundPairInvite(value: Value, crypto: CryptoProvider, now: number): SoundPairInvite {
  if (!isValueMap(value) || value.v !== 1) bad('sound is not a version 1 pairing invite');
  const m = value as Record<string, Value>;
  const { pair, url, secret, expires, sig } = m;
  if (!(pair instanceof Uint8Array) || pair.length !== 32) return bad('sound pairing invite has no 32-byte hub key');
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) return bad('sound pairing invite has no http(s) url');
  if (!(secret instanceof Uint8Array) || secret.length !== 16) return bad('sound pairing invite has no 16-byte secret');
  if (typeof expires !== 'number' || !Number.isSafeInteger(expires)) return bad('sound pairing invite has no expiry');
  if (!(sig instanceof Uint8Array) || !crypto.verify(sig, soundSigned(pair, url, secret, expires), pair))
    throw new MeshError('bad-signature', 'sound pairing invite signature does not verify (altered, or not from that hub)');
  if (now > expires) bad(`sound pairing invite expired at ${new Date(expires).toISOString()}`);
  return { secret, fingerprint: keyFingerprint(pair, crypto), url, publicKey: pair, expires };
}
