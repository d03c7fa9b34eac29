import FFT from 'fft.js';
import { seededRandom } from '../environment/signals.js';
import { GaussianSource } from './noise.js';

/**
 * Echo and reverberation as a short room impulse response, and a streaming
 * FFT convolver (overlap-add) to apply it.
 *
 * roomImpulseResponse: the direct path (gain 1 at t = 0); `reflections`
 * early reflections arriving 1–30 ms after it, each with the gain an image
 * source would give, spreading loss times the wall's reflection coefficient:
 * g = r × d / (d + c·τ) for speaker–microphone distance d, extra delay τ and
 * c = 343 m/s (at 1.5 m and r = 0.7: 0.42 at 3 ms, 0.13 at 20 ms), with
 * random sign; and a diffuse tail of Gaussian noise decaying exponentially
 * to −60 dB at `rt60` seconds (the reverberation time), starting `reverbDb`
 * below the direct path. Seeded.
 */
export interface RoomOptions {
  seed: number;
  sampleRate?: number;
  /** Reverberation time to −60 dB, seconds (default 0.15; the response is cut there). */
  rt60?: number;
  /** Early reflections (default 4), the walls' reflection coefficient (default 0.7), speaker–microphone distance in m (default 1.5). */
  reflections?: number;
  reflectionCoefficient?: number;
  distance?: number;
  /** Diffuse tail level relative to the direct path, dB (default −20). */
  reverbDb?: number;
}

export function roomImpulseResponse(o: RoomOptions): Float32Array {
  const rate = o.sampleRate ?? 48000;
  const rt60 = o.rt60 ?? 0.15;
  if (!(rt60 > 0 && rt60 <= 1)) throw new RangeError(`rt60 must be in (0, 1] seconds, got ${rt60}`);
  const n = Math.max(1, Math.round(rt60 * rate));
  const ir = new Float32Array(n);
  ir[0] = 1;
  const u = seededRandom(o.seed);
  const reflections = o.reflections ?? 4;
  const coefficient = o.reflectionCoefficient ?? 0.7;
  const d = o.distance ?? 1.5;
  for (let r = 0; r < reflections; r++) {
    const tau = 0.001 + u() * 0.029;
    const at = Math.min(n - 1, Math.round(tau * rate));
    ir[at] += (u() < 0.5 ? -1 : 1) * coefficient * (d / (d + 343 * tau));
  }
  const g = new GaussianSource(o.seed ^ 0x5eed);
  const tail = 10 ** ((o.reverbDb ?? -20) / 20);
  const decay = Math.log(1000) / (rt60 * rate); // amplitude −60 dB at rt60
  const onset = Math.round(0.001 * rate);
  for (let i = onset; i < n; i++) ir[i] += (tail * g.next() * Math.exp(-decay * (i - onset))) / Math.sqrt(rate * 0.001);
  return ir;
}

/**
 * Streaming convolution by overlap-add, one real FFT (fft.js) per hop; the
 * output has the input's length (the tail carries on into later pushes).
 */
export class Convolver {
  private readonly size: number;
  private readonly hop: number;
  private readonly fft: FFT;
  /** The response's spectrum, bins 0…size/2, interleaved re, im. */
  private readonly irSpectrum: Float64Array;
  private readonly pending: Float32Array;
  private fill = 0;
  private readonly overlap: Float64Array;

  constructor(ir: Float32Array) {
    if (ir.length < 1) throw new RangeError('ir must hold at least one sample');
    let size = 2;
    while (size < 2 * ir.length) size *= 2;
    this.size = Math.max(size, 1024);
    this.hop = this.size - ir.length + 1;
    this.fft = new FFT(this.size);
    const padded = new Float64Array(this.size);
    padded.set(ir);
    this.irSpectrum = new Float64Array(2 * this.size);
    this.fft.realTransform(this.irSpectrum, padded);
    this.pending = new Float32Array(this.hop);
    this.overlap = new Float64Array(this.size);
  }

  /** The convolved signal, delayed by up to one hop until enough input has come (flush() drains). */
  push(x: Float32Array): Float32Array {
    const out: Float32Array[] = [];
    for (let i = 0; i < x.length; ) {
      const n = Math.min(this.hop - this.fill, x.length - i);
      this.pending.set(x.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === this.hop) out.push(this.block());
    }
    const total = out.reduce((s, b) => s + b.length, 0);
    const joined = new Float32Array(total);
    let at = 0;
    for (const b of out) {
      joined.set(b, at);
      at += b.length;
    }
    return joined;
  }

  /** The rest: pending input (padded) and the reverberant tail. */
  flush(): Float32Array {
    const n = this.fill;
    if (n === 0) return new Float32Array(0);
    this.pending.fill(0, n);
    return this.block().subarray(0, n);
  }

  private block(): Float32Array {
    const { size, hop, irSpectrum: h } = this;
    const input = new Float64Array(size);
    input.set(this.pending);
    const spectrum = new Float64Array(2 * size);
    this.fft.realTransform(spectrum, input);
    for (let i = 0; i <= size; i += 2) {
      const a = spectrum[i];
      const b = spectrum[i + 1];
      spectrum[i] = a * h[i] - b * h[i + 1];
      spectrum[i + 1] = a * h[i + 1] + b * h[i];
    }
    this.fft.completeSpectrum(spectrum); // the product of two real signals' spectra is conjugate-symmetric too
    const product = new Float64Array(2 * size);
    this.fft.inverseTransform(product, spectrum); // scaled by 1/size
    const out = new Float32Array(hop);
    for (let i = 0; i < size; i++) this.overlap[i] += product[2 * i];
    for (let i = 0; i < hop; i++) out[i] = this.overlap[i];
    this.overlap.copyWithin(0, hop);
    this.overlap.fill(0, size - hop);
    this.fill = 0;
    return out;
  }
}
