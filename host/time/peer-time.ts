import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { checkTimeAnswer, NONCE_BYTES } from '../../firmware/time/time-answer.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { ClockSample } from './consensus.js';

/** A peer to ask: its API and the key from its verified beacon record. */
export interface TimePeer {
  id: string;
  url: string;
  publicKey: Uint8Array;
}

/** One peer's answer, asked at system time `at`: its clock as a sample, or why there was none. */
export type PeerTime = { at: number } & ({ sample: ClockSample } | { error: string });

export interface AskPeerTimeOptions {
  crypto: CryptoProvider;
  /** The system clock the offset is measured against. */
  system: () => number;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
  /** Times the round trip (default performance.now). */
  monotonic?: () => number;
}

/**
 * Asks one peer its time (GET /v1/time with a fresh nonce): the answer must
 * be signed by the peer's beacon key over our nonce. The offset is the
 * peer's time minus our system clock at the midpoint of the exchange (half
 * the round trip). Never rejects: a failure is an answer with its reason.
 */
export async function askPeerTime(p: TimePeer, o: AskPeerTimeOptions): Promise<PeerTime> {
  const nonce = randomBytes(NONCE_BYTES).toString('hex');
  const at = o.system();
  const monotonic = o.monotonic ?? (() => performance.now());
  const start = monotonic();
  try {
    const res = await (o.fetchImpl ?? fetch)(`${p.url}/v1/time?nonce=${nonce}`, { signal: AbortSignal.timeout(o.timeoutMs) });
    const body: unknown = await res.json();
    const rttMs = monotonic() - start;
    if (res.status !== 200) throw new FaztError('time-refused', `HTTP ${res.status}`);
    const a = checkTimeAnswer(body, nonce, p.publicKey, o.crypto);
    if (a.id !== p.id) throw new FaztError('time-bad-signature', `answer names ${a.id}, expected ${p.id}`);
    return { at, sample: { peer: p.id, offsetMs: a.time - (at + rttMs / 2), rttMs } };
  } catch (e) {
    const err = e as Error;
    return { at, error: err.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : err.message };
  }
}
