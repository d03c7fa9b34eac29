import { encodeCbor } from '../codec/cbor-encode.js';
import { isValueMap, type Value } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { NodeIdentity } from '../identity/node-id.js';

/**
 * An invite carried by sound (Chirp): the hub's public key, where to enrol,
 * the single-use token and its expiry, signed by the hub. A listener checks
 * the signature and the expiry, then enrols over the network with the token
 * (firmware/node/enroll-request.ts) and keeps the hub's key. The signature
 * proves the invite was not altered in the air; trust itself comes from
 * being in earshot of the hub, the point of an explicit, local ritual.
 * Chirp does not encrypt: the token is single-use and short-lived.
 */
const SOUND_INVITE_DOMAIN = 'fazt/invite-sound/v1';

export interface SoundInvite {
  hub: Uint8Array;
  url: string;
  token: string;
  expires: number;
}

function signedForm(i: SoundInvite): Uint8Array {
  return encodeCbor([SOUND_INVITE_DOMAIN, i.hub, i.url, i.token, i.expires]);
}

export function signSoundInvite(invite: Omit<SoundInvite, 'hub'>, hub: NodeIdentity, crypto: CryptoProvider): Value {
  const full: SoundInvite = { ...invite, hub: hub.publicKey };
  return { v: 1, hub: full.hub, url: full.url, token: full.token, expires: full.expires, sig: crypto.sign(signedForm(full), hub.secretKey) };
}

/** Checks a heard invite: shape, the hub's signature, the expiry. Returns what to enrol with. */
export function openSoundInvite(value: Value, crypto: CryptoProvider, now: number): SoundInvite {
  const bad = (m: string): never => {
    throw new FaztError('invite-malformed', `sound invite ${m}`);
  };
  if (!isValueMap(value) || value.v !== 1) bad('is not a version 1 invite');
  const m = value as Record<string, Value>;
  if (!(m.hub instanceof Uint8Array) || m.hub.length !== 32) bad('has no 32-byte hub key');
  if (typeof m.url !== 'string' || !/^https?:\/\/\S+$/.test(m.url)) bad('has no http(s) url');
  if (typeof m.token !== 'string' || m.token.length === 0) bad('has no token');
  if (!Number.isSafeInteger(m.expires)) bad('has no expiry');
  if (!(m.sig instanceof Uint8Array)) bad('is not signed');
  const invite: SoundInvite = { hub: m.hub as Uint8Array, url: m.url as string, token: m.token as string, expires: m.expires as number };
  if (!crypto.verify(m.sig as Uint8Array, signedForm(invite), invite.hub))
    throw new FaztError('invite-signature', 'sound invite signature does not verify (altered, or not from that hub)');
  if (now > invite.expires) throw new FaztError('invite-expired', `sound invite expired at ${new Date(invite.expires).toISOString()}`);
  return invite;
}
