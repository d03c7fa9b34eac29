import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import type { Value } from '../../firmware/codec/value.js';
import { MAX_MESSAGE_BYTES, splitMessage } from './frames.js';
import { loadGgwave, SAMPLE_RATE, type ChirpMode } from './ggwave-engine.js';
import { MessageReceiver, type ReceiverOptions, type ReceiveProgress } from './message-receiver.js';

export { MessageReceiver, type ReceiverOptions, type ReceiveProgress } from './message-receiver.js';

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

const DEFAULT_GAP_SECONDS = 0.1;
const DEFAULT_LEAD_SECONDS = 0.25;

/** The frames of `message` as 48 kHz mono PCM, each entry one frame or one silence. */
async function encodeBytesToParts(message: Uint8Array, options: EncodeOptions = {}): Promise<Float32Array[]> {
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

export interface ReceiveOptions extends ReceiverOptions {
  /** Give up after this much audio (seconds); 'timeout'. */
  timeoutSeconds?: number;
  /** Aborting ends the wait with 'timeout' (a wall-clock limit for a stalled device). */
  signal?: AbortSignal;
  onProgress?: (p: ReceiveProgress) => void;
}

/** Message bytes from a stream of PCM chunks (a fresh decoder for this message). */
export async function receiveBytes(
  stream: AsyncIterable<Float32Array | Int16Array> | Iterable<Float32Array | Int16Array>,
  options: ReceiveOptions = {},
): Promise<Uint8Array> {
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
export async function receiveMessage(
  stream: AsyncIterable<Float32Array | Int16Array> | Iterable<Float32Array | Int16Array>,
  options: ReceiveOptions = {},
): Promise<Value> {
  return decodeCbor(await receiveBytes(stream, options));
}

/** Splits one PCM signal into chunks of `size` samples, as a device would deliver it. */
export function* chunked(pcm: Float32Array | Int16Array, size = 4096): Generator<Float32Array | Int16Array> {
  for (let i = 0; i < pcm.length; i += size) yield pcm.subarray(i, i + size);
}
