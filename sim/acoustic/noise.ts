import { seededRandom } from '../environment/signals.js';

/**
 * Seeded noise sources for the acoustic channel. White: Gaussian (Box–Muller
 * over mulberry32). Pink (1/f, −3 dB per octave): Paul Kellet's three-pole
 * filter of white noise ("economy" version, within ±0.5 dB from 9 Hz to
 * Nyquist at 44.1 kHz). Both come out at unit RMS.
 */
export type NoiseColour = 'white' | 'pink';

export class GaussianSource {
  private readonly uniform: () => number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.uniform = seededRandom(seed);
  }

  next(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = this.uniform();
    while (u <= 1e-12) u = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
}

/** RMS of Kellet's filter driven by unit white noise, measured once. */
let pinkRms: number | undefined;
function pinkScale(): number {
  if (pinkRms === undefined) {
    const n = new NoiseSource('pink', 12345, 1);
    const x = n.take(1 << 18);
    let p = 0;
    for (let i = 4096; i < x.length; i++) p += x[i] * x[i];
    pinkRms = Math.sqrt(p / (x.length - 4096));
  }
  return pinkRms;
}

export class NoiseSource {
  private readonly g: GaussianSource;
  private b0 = 0;
  private b1 = 0;
  private b2 = 0;
  private readonly scale: number;

  /** `scale` is internal (pink calibration); callers get unit RMS. */
  constructor(
    readonly colour: NoiseColour,
    seed: number,
    scale?: number,
  ) {
    if (colour !== 'white' && colour !== 'pink') throw new RangeError(`colour must be white or pink, got ${String(colour)}`);
    this.g = new GaussianSource(seed);
    this.scale = scale ?? (colour === 'pink' ? 1 / pinkScale() : 1);
  }

  /** The next `n` samples at unit RMS (times `rms`). */
  take(n: number, rms = 1): Float32Array {
    const out = new Float32Array(n);
    const k = rms * this.scale;
    if (this.colour === 'white') {
      for (let i = 0; i < n; i++) out[i] = this.g.next() * k;
      return out;
    }
    for (let i = 0; i < n; i++) {
      const w = this.g.next();
      this.b0 = 0.99765 * this.b0 + w * 0.099046;
      this.b1 = 0.963 * this.b1 + w * 0.2965164;
      this.b2 = 0.57 * this.b2 + w * 1.0526913;
      out[i] = (this.b0 + this.b1 + this.b2 + w * 0.1848) * k;
    }
    return out;
  }
}
