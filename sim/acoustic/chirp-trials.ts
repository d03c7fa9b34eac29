import { encodeBytes, MessageReceiver, type ReceiverOptions } from '../../host/chirp/chirp.js';
import { ChirpError } from '../../host/chirp/chirp-error.js';
import type { ChirpMode, GgwaveEngine } from '../../host/chirp/ggwave-engine.js';
import { seededRandom } from '../environment/signals.js';
import { transmit, type TransmitOptions } from './channel-transmit.js';
import type { NoiseColour } from './noise.js';

/**
 * Chirp trials through the acoustic channel, shared by the tests and
 * bench/chirp.ts: one message encoded, sent through a seeded channel,
 * received by a fresh receiver fed 4096-sample chunks.
 */
export interface Condition {
  snrDb?: number;
  noise?: NoiseColour;
  /** A room (seeded per trial). */
  echo?: boolean;
  /** |drift|; the sign alternates from trial to trial. */
  drift?: number;
  /** Signal-to-talker ratio in dB, with this talker signal. */
  talker?: { signal: Float32Array; sirDb: number };
  clipAt?: number;
  attenuationDb?: number;
  noiseRms?: number;
}

export interface TrialResult {
  ok: boolean;
  /** The ChirpError code when it failed ('wrong-message' if it decoded something else). */
  code?: string;
  /** Seconds of sound. */
  airtime: number;
}

function trialMessage(bytes: number, seed: number): Uint8Array {
  const u = seededRandom(seed);
  return Uint8Array.from({ length: bytes }, () => Math.floor(u() * 256));
}

function channelFor(condition: Condition, seed: number): TransmitOptions {
  const o: TransmitOptions = {
    seed,
    snrDb: condition.snrDb,
    noise: condition.noise,
    clipAt: condition.clipAt,
    attenuationDb: condition.attenuationDb,
    noiseRms: condition.noiseRms,
    talker: condition.talker,
  };
  if (condition.echo) o.echo = { seed };
  if (condition.drift) o.drift = seed % 2 ? condition.drift : -condition.drift;
  return o;
}

export async function runTrial(
  engine: GgwaveEngine,
  mode: ChirpMode,
  bytes: number,
  seed: number,
  condition: Condition,
  options: ReceiverOptions = {},
): Promise<TrialResult> {
  const message = trialMessage(bytes, seed);
  const pcm = await encodeBytes(message, { mode });
  const heard = transmit(pcm, channelFor(condition, seed));
  const rx = new MessageReceiver(engine, options);
  const airtime = pcm.length / 48000;
  try {
    let got: Uint8Array | undefined;
    for (let i = 0; i < heard.length && !got; i += 4096) got = rx.push(heard.subarray(i, i + 4096));
    got ??= rx.end();
    const ok = got.length === message.length && got.every((v, i) => v === message[i]);
    return ok ? { ok, airtime } : { ok, code: 'wrong-message', airtime };
  } catch (e) {
    if (e instanceof ChirpError) return { ok: false, code: e.code, airtime };
    throw e;
  } finally {
    rx.close();
  }
}

/** Successes out of `trials` (seeds seed0 … seed0 + trials − 1) and the failures' codes. */
export async function successes(
  engine: GgwaveEngine,
  mode: ChirpMode,
  bytes: number,
  trials: number,
  condition: Condition,
  seed0 = 1,
  options: ReceiverOptions = {},
): Promise<{ ok: number; trials: number; codes: string[] }> {
  let ok = 0;
  const codes: string[] = [];
  for (let t = 0; t < trials; t++) {
    const r = await runTrial(engine, mode, bytes, seed0 + t, condition, options);
    if (r.ok) ok++;
    else codes.push(r.code ?? '?');
  }
  return { ok, trials, codes };
}
