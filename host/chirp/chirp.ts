import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import type { Value } from '../../firmware/codec/value.js';
import { ChirpError } from './chirp-error.js';
import { DriftCorrector } from './drift.js';
import { Reassembler, splitMessage, MAX_MESSAGE_BYTES } from './frames.js';
import { loadGgwave, SAMPLE_RATE, toFloat32, type ChirpMode, type GgwaveDecoder, type GgwaveEngine } from './ggwave-engine.js';
import { Resampler } from './resampler.js';

/**
 * Chirp: a message (up to 4 KB; CBOR when it is a value) as sound and back.
 * Sending: the message's frames (frames.ts) each become one ggwave frame, with
 * silence before, between and after. Receiving: one fresh ggwave decoder per
 * message, fed the stream in small blocks; frames are routed to a reassembler
 * per message id and the first message that completes wins.
 */
export interface EncodeOptions {
  mode?: ChirpMode;
  /** ggwave volume 1–100 (peak ≈ volume/100 of full scale); default 50. */
  volume?: number;
  /** Silence between frames, and before the first / after the last (seconds). */
  gapSeconds?: number;
  leadSeconds?: number;
}

export const DEFAULT_GAP_SECONDS = 0.1;
export const DEFAULT_LEAD_SECONDS = 0.25;

/** The frames of `message` as 48 kHz mono PCM, each entry one frame or one silence. */
export async function encodeBytesToParts(message: Uint8Array, options: EncodeOptions = {}): Promise<Float32Array[]> {
  const engine = await loadGgwave();
  const mode = options.mode ?? 'standard';
  const gap = silence(options.gapSeconds ?? DEFAULT_GAP_SECONDS);
  const lead = silence(options.leadSeconds ?? DEFAULT_LEAD_SECONDS);
  const parts: Float32Array[] = [lead];
  splitMessage(message).forEach((f, i) => {
    if (i > 0) parts.push(gap);
    parts.push(engine.encode(f, mode, options.volume ?? 50));
  });
  parts.push(lead);
  return parts;
}

/** The bytes of a message (≤ 4096) as one 48 kHz mono PCM signal. */
export async function encodeBytes(message: Uint8Array, options: EncodeOptions = {}): Promise<Float32Array> {
  return concatPcm(await encodeBytesToParts(message, options));
}

/** A value as deterministic CBOR (RFC 8949 §4.2), then as sound. */
export async function encodeMessage(value: Value, options: EncodeOptions = {}): Promise<Float32Array> {
  return encodeBytes(cborPayload(value), options);
}

export function cborPayload(value: Value): Uint8Array {
  const bytes = encodeCbor(value);
  if (bytes.length > MAX_MESSAGE_BYTES) throw new RangeError(`message must be at most ${MAX_MESSAGE_BYTES} bytes of CBOR, got ${bytes.length}`);
  return bytes;
}

function silence(seconds: number): Float32Array {
  if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= 10)) throw new RangeError(`gap and lead must be 0–10 seconds, got ${String(seconds)}`);
  return new Float32Array(Math.round(seconds * SAMPLE_RATE));
}

export function concatPcm(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface ReceiveProgress {
  /** Seconds of audio heard. */
  seconds: number;
  /** Frames of the leading message received, and its frame count once known. */
  received: number;
  count: number | undefined;
  missing: number[];
  /** Sample-rate ratio applied to undo drift (1 = none). */
  ratio: number;
}

export interface ReceiverOptions {
  /** Rate of the PCM pushed (default 48000); other rates are converted. */
  sampleRate?: number;
  /** Estimate and undo a sample-rate mismatch between the two sound cards (default true). */
  driftCorrection?: boolean;
  /**
   * ggwave's marker threshold (default 2, ggwave's own is 3). Start-marker
   * detection needs all 16 marker tones above threshold × their neighbour
   * bin in one frame, and a room's echo notches some of them: at −5 dB with
   * echo and drift 2 found every start marker where 3 missed some (measured).
   * On noise alone a false start needs 16 independent 2:1 comparisons to
   * pass in one frame, (1/3)^16 ≈ 2·10⁻⁸ per frame.
   */
  markerThreshold?: number;
}

export const DEFAULT_MARKER_THRESHOLD = 2;

/**
 * The receiving side as a synchronous stream consumer: push() PCM as it
 * comes; it returns the message bytes once complete. end() says why nothing
 * came (throws). Owns one ggwave decoder: close() it.
 */
export class MessageReceiver {
  private readonly decoder: GgwaveDecoder;
  private readonly rate: Resampler | undefined;
  private readonly drift: DriftCorrector | undefined;
  private readonly messages = new Map<string, Reassembler>();
  private heardSamples = 0;
  private readonly inRate: number;

  constructor(engine: GgwaveEngine, options: ReceiverOptions = {}) {
    this.inRate = options.sampleRate ?? SAMPLE_RATE;
    if (!Number.isInteger(this.inRate) || this.inRate < 8000 || this.inRate > 192000) throw new RangeError(`sampleRate must be an integer 8000–192000, got ${this.inRate}`);
    this.rate = this.inRate === SAMPLE_RATE ? undefined : new Resampler(this.inRate / SAMPLE_RATE);
    this.drift = options.driftCorrection === false ? undefined : new DriftCorrector();
    this.decoder = engine.decoder({ markerThreshold: options.markerThreshold ?? DEFAULT_MARKER_THRESHOLD });
  }

  get progress(): ReceiveProgress {
    const lead = this.leading();
    return { seconds: this.heardSamples / this.inRate, received: lead?.received ?? 0, count: lead?.count, missing: lead?.missing ?? [], ratio: this.drift?.ratio ?? 1 };
  }

  /** The message with the most frames so far. */
  private leading(): Reassembler | undefined {
    let best: Reassembler | undefined;
    for (const r of this.messages.values()) if (!best || r.received > best.received) best = r;
    return best;
  }

  push(samples: Float32Array | Int16Array): Uint8Array | undefined {
    this.heardSamples += samples.length;
    let x = samples instanceof Int16Array ? toFloat32(samples) : samples;
    if (this.rate) x = this.rate.push(x);
    if (this.drift) x = this.drift.push(x);
    return this.decode(x);
  }

  private decode(x: Float32Array): Uint8Array | undefined {
    for (const frame of this.decoder.push(x)) {
      const id = frame[0] === 0xc1 && frame.length >= 5 ? Array.from(frame.subarray(1, 5), (b) => b.toString(16).padStart(2, '0')).join('') : undefined;
      if (!id) continue; // another ggwave sender's data, not a Chirp frame
      let r = this.messages.get(id);
      if (!r) {
        if (this.messages.size >= 8) continue;
        this.messages.set(id, (r = new Reassembler(id)));
      }
      if (r.accept(frame) === 'new' && r.complete) return r.message(); // may throw digest-mismatch
    }
    return undefined;
  }

  /** The stream ended (or time ran out): drains what is buffered, then returns the message or throws what went wrong. */
  end(reason: 'end' | 'timeout' = 'end'): Uint8Array {
    const tail = this.drift ? this.drift.flush() : new Float32Array(0);
    const done = this.decode(concatPcm([tail, new Float32Array(SAMPLE_RATE)]));
    if (done) return done;
    const lead = this.leading();
    const secs = (this.heardSamples / this.inRate).toFixed(1);
    if (!lead) {
      if (reason === 'timeout') throw new ChirpError('timeout', `timed out after ${secs} s: no chirp heard`);
      throw new ChirpError('nothing-detected', `no chirp detected in ${secs} s of audio`);
    }
    const missing = lead.missing;
    const what = `frames ${missing.join(', ')} of ${lead.count ?? '?'} missing (${lead.received} received)`;
    if (reason === 'timeout') throw new ChirpError('timeout', `timed out after ${secs} s: ${what}`, { missing, count: lead.count });
    throw new ChirpError('frames-missing', `audio ended with ${what}`, { missing, count: lead.count });
  }

  close(): void {
    this.decoder.close();
  }
}

export interface ReceiveOptions extends ReceiverOptions {
  /** Give up after this much audio (seconds); 'timeout'. */
  timeoutSeconds?: number;
  /** Aborting ends the wait with 'timeout' (a wall-clock limit for a stalled device). */
  signal?: AbortSignal;
  onProgress?: (p: ReceiveProgress) => void;
}

/** Message bytes from a stream of PCM chunks (a fresh decoder for this message). */
export async function receiveBytes(stream: AsyncIterable<Float32Array | Int16Array> | Iterable<Float32Array | Int16Array>, options: ReceiveOptions = {}): Promise<Uint8Array> {
  const rx = new MessageReceiver(await loadGgwave(), options);
  const limit = options.timeoutSeconds;
  if (limit !== undefined && !(limit > 0)) throw new RangeError(`timeoutSeconds must be positive, got ${limit}`);
  try {
    for await (const chunk of stream) {
      const done = rx.push(chunk);
      if (done) return done;
      options.onProgress?.(rx.progress);
      if (options.signal?.aborted || (limit !== undefined && rx.progress.seconds >= limit)) return rx.end('timeout');
    }
    return rx.end(options.signal?.aborted ? 'timeout' : 'end');
  } finally {
    rx.close();
  }
}

/** A value from a stream of PCM chunks: receiveBytes, then strict deterministic CBOR. */
export async function receiveMessage(stream: AsyncIterable<Float32Array | Int16Array> | Iterable<Float32Array | Int16Array>, options: ReceiveOptions = {}): Promise<Value> {
  return decodeCbor(await receiveBytes(stream, options));
}

/** Splits one PCM signal into chunks of `size` samples, as a device would deliver it. */
export function* chunked(pcm: Float32Array | Int16Array, size = 4096): Generator<Float32Array | Int16Array> {
  for (let i = 0; i < pcm.length; i += size) yield pcm.subarray(i, i + size);
}
