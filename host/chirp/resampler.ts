/**
 * Kept as our own rather than wave-resampler 1.0.0 (installed), because the
 * uses here stream: the receiver converts a sound card's rate chunk by chunk,
 * the drift corrector changes the ratio as its estimate improves, and the
 * acoustic channel carries audio as boards play it. wave-resampler converts
 * one whole array per call (its anti-alias filter runs forwards, then
 * backwards over all of it; each call lays its own output grid, input
 * position i × (n − 1)/m). Measured with a 1875 Hz tone at ratio 1.003: fed
 * in 4096-sample chunks it lost 18 samples in 2 s, slipping phase at every
 * seam (up to 2 off, full scale); whole, still 0.03 off, its grid not being
 * the exact ratio. Its default Gaussian-windowed sinc also loses 20 % of a
 * 19.5 kHz tone (5 % at 15 kHz; the ultrasound modes sit at 15–19.5 kHz),
 * a Blackman window fixes that at 9 × our time, and it filters the caller's
 * array in place when it downsamples. resample() (whole WAV files, playback
 * at a device's rate) runs this same stream once, so a file and a stream of
 * the same audio give the same samples (test/chirp/resampler.test.ts).
 *
 * A streaming band-limited resampler (windowed sinc, Blackman window, 2 × 12
 * taps, 1024 table phases): output sample m is the input interpolated at
 * position m × step, where step = input rate / output rate. Used to convert
 * WAV files to ggwave's 48 kHz, to undo a measured sample-rate mismatch
 * between two sound cards before decoding, and by the simulator to create
 * one. The cut-off follows the lower of the two rates (×0.95) so downsampling
 * does not alias. `step` may be changed between pushes (drift refinement).
 */
const HALF = 12;
const PHASES = 1024;

function buildTable(cutoff: number): Float32Array {
  const table = new Float32Array(PHASES * 2 * HALF);
  for (let p = 0; p < PHASES; p++) {
    const frac = p / PHASES;
    let sum = 0;
    for (let k = 0; k < 2 * HALF; k++) {
      // tap k weighs input sample floor(pos) − HALF + 1 + k, at distance t from pos
      const t = k - HALF + 1 - frac;
      const x = Math.PI * cutoff * t;
      const sinc = t === 0 ? 1 : Math.sin(x) / x;
      const w = (t + HALF) / (2 * HALF);
      const win = w <= 0 || w >= 1 ? 0 : 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
      const v = cutoff * sinc * win;
      table[p * 2 * HALF + k] = v;
      sum += v;
    }
    for (let k = 0; k < 2 * HALF; k++) table[p * 2 * HALF + k] /= sum; // unity gain at DC for every phase
  }
  return table;
}

const tables = new Map<number, Float32Array>();
function tableFor(step: number): Float32Array {
  const cutoff = Math.round(Math.min(1, 1 / step) * 0.95 * 100) / 100;
  let t = tables.get(cutoff);
  if (!t) {
    t = buildTable(cutoff);
    tables.set(cutoff, t);
  }
  return t;
}

export class Resampler {
  private stepValue: number;
  private table: Float32Array;
  /** Unconsumed input; buf[0] is input sample `bufStart` (negative: the silence before the first). */
  private buf = new Float32Array(4096);
  private len = HALF - 1;
  private bufStart = -(HALF - 1);
  /** Output m sits at input position anchorPos + (m − anchorM) × step: exact whatever the chunking. */
  private anchorPos = 0;
  private anchorM = 0;
  private m = 0;

  constructor(step: number) {
    this.stepValue = checkStep(step);
    this.table = tableFor(step);
  }

  get step(): number {
    return this.stepValue;
  }

  set step(v: number) {
    checkStep(v);
    this.anchorPos += (this.m - this.anchorM) * this.stepValue;
    this.anchorM = this.m;
    this.stepValue = v;
    this.table = tableFor(v);
  }

  /** Resamples what it can of `input` (and earlier input); the rest waits for more. */
  push(input: Float32Array): Float32Array {
    if (this.len + input.length > this.buf.length) {
      const next = new Float32Array(Math.max(this.buf.length * 2, this.len + input.length));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(input, this.len);
    this.len += input.length;
    const { buf, table, stepValue: step, anchorPos, anchorM, bufStart } = this;
    const end = bufStart + this.len - HALF; // an output needs floor(pos) + HALF < end + HALF
    const first = this.m;
    const n = Math.max(0, Math.ceil((end - (anchorPos + (first - anchorM) * step)) / step) + 1);
    const out = new Float32Array(n);
    let k = 0;
    for (; k < n; k++) {
      const pos = anchorPos + (first + k - anchorM) * step;
      let i = Math.floor(pos);
      let phase = Math.round((pos - i) * PHASES);
      if (phase === PHASES) {
        phase = 0;
        i++;
      }
      if (i >= end) break;
      const row = phase * 2 * HALF;
      const base = i - HALF + 1 - bufStart;
      let acc = 0;
      for (let t = 0; t < 2 * HALF; t++) acc += buf[base + t] * table[row + t];
      out[k] = acc;
    }
    this.m = first + k;
    // drop consumed input, keeping the taps the next output needs
    const nextPos = anchorPos + (this.m - anchorM) * step;
    const keepFrom = Math.max(0, Math.floor(nextPos) - HALF + 1 - bufStart);
    if (keepFrom > 0) {
      buf.copyWithin(0, keepFrom, this.len);
      this.len -= keepFrom;
      this.bufStart += keepFrom;
    }
    return k === n ? out : out.subarray(0, k);
  }

  /** The tail: pads with silence so every input sample has been used. */
  flush(): Float32Array {
    return this.push(new Float32Array(HALF + Math.ceil(this.stepValue)));
  }
}

/** A whole signal at once. */
export function resample(input: Float32Array, step: number): Float32Array {
  if (step === 1) return input.slice();
  const r = new Resampler(step);
  const a = r.push(input);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out.subarray(0, Math.round(input.length / step));
}

function checkStep(step: number): number {
  if (typeof step !== 'number' || !Number.isFinite(step) || step < 0.25 || step > 4)
    throw new RangeError(`step must be a number in 0.25–4, got ${String(step)}`);
  return step;
}
