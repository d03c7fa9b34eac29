import FFT from 'fft.js';
import { Resampler } from './resampler.js';

/**
 * Sample-rate drift: estimated from ggwave's own tones, undone by resampling
 * before the decoder.
 *
 * Every ggwave tone (markers and data) sits exactly on a bin of the sender's
 * 1024-point grid: k × 46.875 Hz at 48 kHz, k = 40…135 audible and 320…415
 * ultrasound. If the sender's clock runs ρ times the receiver's, the
 * receiver hears every tone at k × 46.875 × ρ Hz and every symbol 1/ρ times
 * as long. So the received spectrum, summed over time, is a comb whose
 * spacing reveals ρ. Method: power spectra of Hann-windowed blocks of 16384
 * samples (2.9 Hz, 1/16 of a ggwave bin) are summed; the sum is whitened by
 * its running median (±1.5 ggwave bins, so noise, hum and speech weigh
 * alike); the score of a candidate ρ is the mean whitened power at the 96
 * positions 16·k·ρ; ρ is searched over ±0.8 % in steps of 0.005 % and refined
 * by a parabola. The estimate counts when the comb stands out (a mean
 * whitened power of at least CONFIDENT; noise alone scores about 1.4) in
 * five blocks, the last three agreeing within 0.02 % (see reestimate()).
 * Resampling the input by 1/ρ then restores both the tone frequencies and the
 * symbol timing. Until the estimate counts, audio waits in a delay line of
 * up to maxDelaySeconds (default 5) and leaves it uncorrected; the estimate is refined
 * as more audio comes, and the resampler follows it smoothly.
 */
export const BLOCK = 16384;
const FINE = BLOCK / 1024; // fine bins per ggwave bin
const BANDS = [
  { lo: 40, hi: 135 },
  { lo: 320, hi: 415 },
] as const;
const RANGE = 0.008;
const GRID = 0.00005;
const HALF_MEDIAN = 24;
const CLIP = 50;
export const CONFIDENT = 3;
const AGREE = 0.0002;
const MIN_CONFIDENT = 5;
const AGREEING = 3;
const REFINE_EVERY = 4;

const hann = Float64Array.from({ length: BLOCK }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / BLOCK));

export interface DriftEstimate {
  /** Sender rate / receiver rate: tones are heard at ρ × their frequency. */
  ratio: number;
  /** Mean whitened comb power at `ratio` (noise alone ≈ 1.4). */
  score: number;
  /** Which band carried the comb. */
  band: 'audible' | 'ultrasound';
}

/** Made on first use: every CLI command loads this module, few hear sound. */
let blockFft: FFT | undefined;

/** The power spectrum of one Hann-windowed block, added into `sum`. */
export function addBlockSpectrum(block: Float32Array, sum: Float64Array): void {
  const windowed = new Float64Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) windowed[i] = block[i] * hann[i];
  // interleaved re, im; realTransform fills bins 0…BLOCK/2 (the rest is scratch)
  const spectrum = new Float64Array(2 * BLOCK);
  blockFft ??= new FFT(BLOCK);
  blockFft.realTransform(spectrum, windowed);
  for (let b = 0; b <= BLOCK / 2; b++) sum[b] += spectrum[2 * b] ** 2 + spectrum[2 * b + 1] ** 2;
}

function whitened(sum: Float64Array, from: number, to: number): Float64Array {
  const w = new Float64Array(sum.length);
  const win = new Float64Array(2 * HALF_MEDIAN + 1);
  for (let b = Math.max(HALF_MEDIAN, from); b <= Math.min(sum.length - HALF_MEDIAN - 1, to); b++) {
    win.set(sum.subarray(b - HALF_MEDIAN, b + HALF_MEDIAN + 1));
    win.sort();
    const median = win[HALF_MEDIAN];
    w[b] = median > 0 ? Math.min(CLIP, sum[b] / median) : 0;
  }
  return w;
}

function score(w: Float64Array, lo: number, hi: number, ratio: number): number {
  let s = 0;
  for (let k = lo; k <= hi; k++) {
    const x = FINE * k * ratio;
    const i = Math.floor(x);
    const f = x - i;
    s += w[i] * (1 - f) + w[i + 1] * f;
  }
  return s / (hi - lo + 1);
}

/** The ratio whose comb best fits a summed power spectrum (length BLOCK/2 + 1). */
export function estimateRatio(sum: Float64Array): DriftEstimate {
  let best: DriftEstimate = { ratio: 1, score: 0, band: 'audible' };
  for (const [n, band] of BANDS.entries()) {
    const w = whitened(sum, Math.floor(FINE * band.lo * (1 - RANGE)) - 2, Math.ceil(FINE * band.hi * (1 + RANGE)) + 2);
    const steps = Math.round(RANGE / GRID);
    const scores: number[] = [];
    let top = 0;
    for (let s = -steps; s <= steps; s++) {
      scores.push(score(w, band.lo, band.hi, 1 + s * GRID));
      if (scores[scores.length - 1] > scores[top]) top = scores.length - 1;
    }
    let ratio = 1 + (top - steps) * GRID;
    if (top > 0 && top < scores.length - 1) {
      const [a, b, c] = [scores[top - 1], scores[top], scores[top + 1]];
      const d = a - 2 * b + c;
      if (d < 0) ratio += (GRID * 0.5 * (a - c)) / d;
    }
    if (scores[top] > best.score) best = { ratio, score: scores[top], band: n === 0 ? 'audible' : 'ultrasound' };
  }
  return best;
}

/**
 * A stream stage in front of the ggwave decoder: push() received audio
 * (48 kHz), get back the same audio with the estimated drift undone.
 */
export class DriftCorrector {
  private readonly sum = new Float64Array(BLOCK / 2 + 1);
  private readonly block = new Float32Array(BLOCK);
  private fill = 0;
  private blocks = 0;
  private queue: Float32Array[] = [];
  private queued = 0;
  private readonly resampler = new Resampler(1);
  private estimateValue: DriftEstimate | undefined;
  private locked = false;
  /** Ratios of the confident estimates before the lock. */
  private readonly recent: number[] = [];
  private readonly maxDelay: number;

  constructor(options: { maxDelaySeconds?: number } = {}) {
    this.maxDelay = Math.round((options.maxDelaySeconds ?? 5) * 48000);
  }

  /** Sender/receiver rate ratio being undone (1 until an estimate counts). */
  get ratio(): number {
    return this.locked && this.estimateValue ? this.estimateValue.ratio : 1;
  }

  /** The latest estimate, counted or not. */
  get estimate(): DriftEstimate | undefined {
    return this.estimateValue;
  }

  push(x: Float32Array): Float32Array {
    for (let i = 0; i < x.length; ) {
      const n = Math.min(BLOCK - this.fill, x.length - i);
      this.block.set(x.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === BLOCK) {
        this.fill = 0;
        addBlockSpectrum(this.block, this.sum);
        if (!this.locked || ++this.blocks % REFINE_EVERY === 0) this.reestimate();
      }
    }
    this.queue.push(x.slice());
    this.queued += x.length;
    return this.release(this.locked ? this.queued : this.queued - this.maxDelay);
  }

  /**
   * The estimate counts once MIN_CONFIDENT estimates have scored CONFIDENT
   * and the last AGREEING of them agree within AGREE: in the ultrasound band
   * the start marker alone (its tone pairs k, k + 1 repeat every 4 bins) fits
   * a ratio about 0.29 % off as well as the true one, so the first blocks of
   * a message can agree on that alias; data tones settle it. After that,
   * confident estimates refine it.
   */
  private reestimate(): void {
    const e = estimateRatio(this.sum);
    if (this.locked) {
      if (e.score >= CONFIDENT) this.estimateValue = e;
    } else {
      this.estimateValue = e;
      if (e.score >= CONFIDENT) this.recent.push(e.ratio);
      const last = this.recent.slice(-AGREEING);
      this.locked = this.recent.length >= MIN_CONFIDENT && Math.max(...last) - Math.min(...last) <= AGREE;
    }
    if (this.locked) this.resampler.step = 1 / (this.estimateValue as DriftEstimate).ratio;
  }

  private release(n: number): Float32Array {
    if (n <= 0) return new Float32Array(0);
    const parts: Float32Array[] = [];
    let left = n;
    while (left > 0 && this.queue.length) {
      const head = this.queue[0];
      if (head.length <= left) {
        parts.push(head);
        this.queue.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        this.queue[0] = head.subarray(left);
        left = 0;
      }
    }
    this.queued -= n - left;
    const joined = new Float32Array(n - left);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    return this.resampler.push(joined);
  }

  /** Everything still held, corrected, and the resampler's tail. */
  flush(): Float32Array {
    if (this.fill > BLOCK / 4) {
      this.block.fill(0, this.fill);
      addBlockSpectrum(this.block, this.sum);
      this.reestimate();
    }
    // at the end, the estimate from everything heard is the best there is
    if (!this.locked && this.estimateValue && this.estimateValue.score >= CONFIDENT) {
      this.locked = true;
      this.resampler.step = 1 / this.estimateValue.ratio;
    }
    const a = this.release(this.queued);
    const b = this.resampler.flush();
    const out = new Float32Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }
}
