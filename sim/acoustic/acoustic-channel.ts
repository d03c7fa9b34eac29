import { toFloat32, toInt16 } from '../../host/chirp/ggwave-engine.js';
import { Resampler } from '../../host/chirp/resampler.js';
import type { SimAudioPort } from '../../hal/sim/sim-ports.js';
import { NoiseSource, type NoiseColour } from './noise.js';
import { Convolver, roomImpulseResponse, type RoomOptions } from './room.js';

/**
 * The acoustic channel between one board's audio out and another's audio
 * in, at 48 kHz mono. The sound goes, in order, through: attenuation (dB);
 * echo and reverberation (a room impulse response, room.ts); the two
 * boards' sample-rate mismatch (`drift`: the sender's clock runs 1 + drift
 * times the receiver's, so the receiver hears every frequency × (1 + drift)
 * and every duration ÷ (1 + drift); done by resampling); then a background
 * talker and noise (white or pink) are added; then the microphone clips at
 * `clipLevel` and its ADC quantises to 16 bits. All randomness is seeded.
 *
 * Levels here are absolute (full scale = 1). transmit() in
 * channel-transmit.ts takes them relative to the received signal instead
 * (SNR, signal-to-talker ratio, clipping relative to the peak).
 */
export interface ChannelOptions {
  seed: number;
  attenuationDb?: number;
  /** A room (impulse response made from it) or an impulse response at 48 kHz. */
  echo?: RoomOptions | Float32Array;
  drift?: number;
  noise?: { colour: NoiseColour; rms: number };
  talker?: { signal: Float32Array; rms: number };
  /** The microphone's clipping level (default 1: full scale). */
  clipLevel?: number;
}

/** The signal path (attenuation, echo, drift) as a stream stage. */
export class SignalPath {
  private readonly gain: number;
  private readonly convolver: Convolver | undefined;
  private readonly resampler: Resampler | undefined;

  constructor(o: ChannelOptions) {
    const att = o.attenuationDb ?? 0;
    if (typeof att !== 'number' || !(att >= 0 && att <= 120)) throw new RangeError(`attenuationDb must be 0–120, got ${String(att)}`);
    this.gain = 10 ** (-att / 20);
    const drift = o.drift ?? 0;
    if (typeof drift !== 'number' || !(Math.abs(drift) <= 0.05)) throw new RangeError(`drift must be within ±0.05, got ${String(drift)}`);
    this.resampler = drift === 0 ? undefined : new Resampler(1 + drift);
    if (o.echo) this.convolver = new Convolver(o.echo instanceof Float32Array ? o.echo : roomImpulseResponse(o.echo));
  }

  push(x: Float32Array): Float32Array {
    let y: Float32Array = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i] * this.gain;
    if (this.convolver) y = this.convolver.push(y);
    if (this.resampler) y = this.resampler.push(y);
    return y;
  }

  flush(): Float32Array {
    let y: Float32Array = this.convolver ? this.convolver.flush() : new Float32Array(0);
    if (this.resampler) {
      const a = this.resampler.push(y);
      const b = this.resampler.flush();
      y = new Float32Array(a.length + b.length);
      y.set(a);
      y.set(b, a.length);
    }
    return y;
  }
}

/** What is added at the microphone, then the microphone itself (clip, 16-bit ADC). */
export class Microphone {
  private readonly noise: NoiseSource | undefined;
  private talkerAt = 0;
  private readonly clip: number;

  constructor(private readonly o: ChannelOptions) {
    if (o.noise) this.noise = new NoiseSource(o.noise.colour, o.seed ^ 0x0a15e);
    this.clip = o.clipLevel ?? 1;
    if (!(this.clip > 0 && this.clip <= 1)) throw new RangeError(`clipLevel must be in (0, 1], got ${this.clip}`);
  }

  hear(x: Float32Array): Int16Array {
    const y = x.slice();
    if (this.noise && this.o.noise) {
      const n = this.noise.take(y.length, this.o.noise.rms);
      for (let i = 0; i < y.length; i++) y[i] += n[i];
    }
    const t = this.o.talker;
    if (t && t.signal.length) {
      for (let i = 0; i < y.length; i++) y[i] += t.signal[(this.talkerAt + i) % t.signal.length] * t.rms;
      this.talkerAt = (this.talkerAt + y.length) % t.signal.length;
    }
    const c = this.clip;
    for (let i = 0; i < y.length; i++) y[i] = y[i] > c ? c : y[i] < -c ? -c : y[i];
    return toInt16(y);
  }
}

/**
 * The channel as the simulator's air (SimAudioPort): what a board plays is
 * heard through the model by every board listening, 48 kHz mono only.
 */
export class AcousticChannel implements SimAudioPort {
  private readonly path: SignalPath;
  private readonly mic: Microphone;
  private readonly listeners = new Set<(s: Int16Array) => void>();

  constructor(options: ChannelOptions) {
    this.path = new SignalPath(options);
    this.mic = new Microphone(options);
  }

  play(samples: Int16Array, sampleRate: number, channels: number): void {
    if (sampleRate !== 48000 || channels !== 1) throw new RangeError(`the acoustic channel carries 48000 Hz mono, got ${sampleRate} Hz × ${channels}`);
    this.deliver(this.path.push(toFloat32(samples)));
  }

  /** Sends the reverberant tail still in the room (call after the last play). */
  settle(): void {
    this.deliver(this.path.flush());
  }

  private deliver(x: Float32Array): void {
    if (x.length === 0) return;
    const heard = this.mic.hear(x);
    for (const l of Array.from(this.listeners)) l(heard.slice());
  }

  listen(sampleRate: number, channels: number, onSamples: (s: Int16Array) => void): () => void {
    if (sampleRate !== 48000 || channels !== 1) throw new RangeError(`the acoustic channel carries 48000 Hz mono, got ${sampleRate} Hz × ${channels}`);
    this.listeners.add(onSamples);
    return () => void this.listeners.delete(onSamples);
  }
}
