import { encodeCbor } from '../codec/cbor-encode.js';
import { fromHex, toHex } from '../codec/text-encodings.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { NodeIdentity } from '../identity/node-id.js';

/**
 * A peer's answer to "what time is it?": its clock, the asker's fresh nonce
 * and a signature over both by the key its beacon record carries. The nonce
 * makes it a signed challenge: an answer cannot be replayed or forged by
 * anyone on the LAN, so only verified peers move the consensus.
 */
export interface TimeAnswer {
  id: string;
  /** Milliseconds since the epoch on the peer's clock when it answered. */
  time: number;
  nonce: string;
  /** Which clock the peer answered from. */
  source: 'ntp' | 'peers' | 'system';
  sig: string;
}

const DOMAIN = 'fazt-time-v1';
export const NONCE_BYTES = 16;

function signedForm(nonce: string, time: number, source: string): Uint8Array {
  return encodeCbor([DOMAIN, nonce, time, source]);
}

export function answerTime(nonce: string, time: number, source: TimeAnswer['source'], identity: NodeIdentity, crypto: CryptoProvider): TimeAnswer {
  if (!/^[0-9a-f]{32}$/.test(nonce)) throw new FaztError('bad-nonce', `nonce must be ${NONCE_BYTES} bytes as lowercase hex`);
  const t = Math.floor(time);
  return { id: identity.id, time: t, nonce, source, sig: toHex(crypto.sign(signedForm(nonce, t, source), identity.secretKey)) };
}

/** Checks an answer against the nonce we sent and the key from the peer's verified beacon record. */
export function checkTimeAnswer(value: unknown, nonce: string, publicKey: Uint8Array, crypto: CryptoProvider): TimeAnswer {
  const a = value as Partial<TimeAnswer> | null;
  if (
    !a ||
    typeof a !== 'object' ||
    typeof a.time !== 'number' ||
    !Number.isSafeInteger(a.time) ||
    typeof a.sig !== 'string' ||
    typeof a.nonce !== 'string' ||
    typeof a.id !== 'string'
  )
    throw new FaztError('time-malformed', 'time answer is not {id, time, nonce, source, sig}');
  if (a.source !== 'ntp' && a.source !== 'peers' && a.source !== 'system')
    throw new FaztError('time-malformed', `time answer source '${String(a.source)}' is not ntp, peers or system`);
  if (a.nonce !== nonce) throw new FaztError('time-replay', 'time answer is for another nonce (a replay?)');
  let sig: Uint8Array;
  try {
    sig = fromHex(a.sig);
  } catch {
    throw new FaztError('time-malformed', 'time answer signature is not hex');
  }
  if (!crypto.verify(sig, signedForm(nonce, a.time, a.source), publicKey))
    throw new FaztError('time-bad-signature', `time answer from ${a.id} does not verify against its beacon key`);
  return a as TimeAnswer;
}
