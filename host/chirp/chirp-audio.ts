import { IoError } from '../../hal/contracts/errors.js';
import type { AudioFormat, AudioIn, HalBackend } from '../../hal/contracts/io.js';
import { SAMPLE_RATE, toInt16 } from './ggwave-engine.js';
import { resample } from './resampler.js';

/**
 * Chirp through the HAL's audio contracts (hal/contracts/io.ts): any
 * backend's AudioOut plays, any backend's AudioIn records: the sim backend
 * in tests, aplay/arecord on a Pi (hal/linux).
 */
export interface PlayOptions {
  /** Device name for the backend (ALSA PCM name on Linux). */
  device?: string;
  /** The device's rate (default 48000; others are resampled to). */
  sampleRate?: number;
  channels?: 1 | 2;
  /** Called as audio is handed over: seconds sent, seconds in all. */
  onProgress?: (sentSeconds: number, totalSeconds: number) => void;
  /** Keep at most this much audio queued ahead of the clock (default 1 s); 0 writes everything at once. */
  aheadSeconds?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Plays 48 kHz mono PCM on the backend's audio out, paced in real time so progress means what is heard; resolves when played. */
export async function playPcm(backend: HalBackend, pcm: Float32Array, o: PlayOptions = {}): Promise<void> {
  const format: AudioFormat = { sampleRate: o.sampleRate ?? SAMPLE_RATE, channels: o.channels ?? 1, bitsPerSample: 16 };
  const signal = format.sampleRate === SAMPLE_RATE ? pcm : resample(pcm, SAMPLE_RATE / format.sampleRate);
  const out = backend.audioOut({ ...format, device: o.device });
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const ahead = (o.aheadSeconds ?? 1) * 1000;
  const total = signal.length / format.sampleRate;
  const chunk = Math.round(format.sampleRate / 4);
  try {
    const start = now();
    for (let i = 0; i < signal.length; i += chunk) {
      const mono = toInt16(signal.subarray(i, i + chunk));
      out.write(format.channels === 1 ? mono : interleave(mono));
      const sent = Math.min(signal.length, i + chunk) / format.sampleRate;
      o.onProgress?.(sent, total);
      const wait = sent * 1000 - (now() - start) - ahead;
      if (ahead > 0 && wait > 0) await sleep(wait);
    }
    await out.drain();
  } finally {
    out.close();
  }
}

function interleave(mono: Int16Array): Int16Array {
  const s = new Int16Array(mono.length * 2);
  for (let i = 0; i < mono.length; i++) s[2 * i] = s[2 * i + 1] = mono[i];
  return s;
}

export interface RecordOptions {
  device?: string;
  sampleRate?: number;
  channels?: 1 | 2;
  /** Ends the recording (the stream then finishes). */
  signal?: AbortSignal;
}

/**
 * The backend's audio in, started at once, as an async stream of mono Int16
 * blocks at the device's rate (blocks captured before the consumer asks
 * wait in order). Breaking out of the loop, aborting, or stop() ends the
 * stream and closes the device; a device fault ends it with its IoError.
 */
export class Recording implements AsyncIterableIterator<Int16Array> {
  private readonly blocks: Int16Array[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private readonly input: AudioIn;
  private readonly onAbort = (): void => this.stop();
  private readonly poll: ReturnType<typeof setInterval>;
  private fault: IoError | undefined;

  constructor(
    backend: HalBackend,
    private readonly o: RecordOptions = {},
  ) {
    const format: AudioFormat = { sampleRate: o.sampleRate ?? SAMPLE_RATE, channels: o.channels ?? 1, bitsPerSample: 16 };
    this.input = backend.audioIn({
      ...format,
      device: o.device,
      onSamples: (s) => {
        this.blocks.push(format.channels === 1 ? s.slice() : downmix(s));
        this.poke();
      },
    });
    o.signal?.addEventListener('abort', this.onAbort);
    this.input.start();
    // a fault between calls is thrown by the io's next call: ask now and then
    this.poll = setInterval(() => {
      try {
        this.input.start();
      } catch (e) {
        this.fault = e instanceof IoError ? e : new IoError('absent', (e as Error).message, { cause: e });
        this.poke();
      }
    }, 500);
    if (o.signal?.aborted) this.stop();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async next(): Promise<IteratorResult<Int16Array>> {
    for (;;) {
      const b = this.blocks.shift();
      if (b) return { value: b, done: false };
      if (this.fault) {
        const f = this.fault;
        this.stop();
        throw f;
      }
      if (this.done) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<Int16Array>> {
    this.stop();
    this.blocks.length = 0;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stops the device; blocks already captured are still delivered. */
  stop(): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.poll);
    this.o.signal?.removeEventListener('abort', this.onAbort);
    this.input.close();
    this.poke();
  }
}

function downmix(s: Int16Array): Int16Array {
  const m = new Int16Array(s.length >> 1);
  for (let i = 0; i < m.length; i++) m[i] = (s[2 * i] + s[2 * i + 1]) >> 1;
  return m;
}
