import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWavAt48k } from '../../host/chirp/wav.js';
import { seededRandom } from '../environment/signals.js';
import { GaussianSource } from './noise.js';

/**
 * A background talker for the acoustic channel, at 48 kHz, unit RMS.
 *
 * speechWithEspeak renders real synthetic speech with espeak-ng (Debian
 * package `espeak-ng`) when it is installed, and returns undefined when not.
 * syntheticTalker is the stand-in that always exists: a voiced source (a
 * glottal pulse train whose pitch wanders between about 90 and 230 Hz)
 * through three formant resonators that move from vowel to vowel every
 * 120–280 ms, with syllable envelopes, pauses, and high-passed noise
 * bursts for fricatives. Seeded.
 */
export function speechWithEspeak(text: string, voice = 'en'): Float32Array | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-espeak-'));
  try {
    const file = join(dir, 'speech.wav');
    const r = spawnSync('espeak-ng', ['-v', voice, '-s', '160', '-w', file, text], { encoding: 'utf8', timeout: 30_000 });
    if (r.error || r.status !== 0) return undefined;
    return unitRms(readWavAt48k(new Uint8Array(readFileSync(file))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const VOWELS: readonly (readonly [number, number, number])[] = [
  [730, 1090, 2440], // a
  [530, 1840, 2480], // e
  [270, 2290, 3010], // i
  [570, 840, 2410], // o
  [300, 870, 2240], // u
  [660, 1720, 2410], // æ
];

/** A two-pole resonator (band-pass) at `hz` with bandwidth `bw`, as difference-equation coefficients. */
function resonator(hz: number, bw: number, rate: number): { a1: number; a2: number; g: number } {
  const r = Math.exp((-Math.PI * bw) / rate);
  return { a1: 2 * r * Math.cos((2 * Math.PI * hz) / rate), a2: -r * r, g: 1 - r };
}

export function syntheticTalker(seconds: number, seed: number, rate = 48000): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  const u = seededRandom(seed);
  const g = new GaussianSource(seed ^ 0x7a1c);
  const y1 = [0, 0, 0];
  const y2 = [0, 0, 0];
  let phase = 0;
  let lastNoise = 0;
  let i = 0;
  while (i < n) {
    const len = Math.round((0.12 + u() * 0.16) * rate);
    const pause = u() < 0.2;
    const [f1, f2, f3] = VOWELS[Math.floor(u() * VOWELS.length)];
    const res = [resonator(f1, 80, rate), resonator(f2, 110, rate), resonator(f3, 160, rate)];
    const fricative = u() < 0.35 ? Math.round(0.05 * rate) : 0;
    const pitch0 = 110 + u() * 90;
    const glide = (u() - 0.5) * 60;
    for (let j = 0; j < len && i < n; j++, i++) {
      const t = j / len;
      const env = pause ? 0 : Math.sin(Math.PI * Math.min(1, t * 1.2));
      const f0 = pitch0 + glide * t;
      phase += f0 / rate;
      if (phase >= 1) phase -= 1;
      const glottal = phase < 0.6 ? (phase / 0.6) ** 2 * (1 - phase / 0.6) * 6.75 - 0.5 : -0.5;
      let voiced = 0;
      for (let f = 0; f < 3; f++) {
        const y = res[f].g * glottal + res[f].a1 * y1[f] + res[f].a2 * y2[f];
        y2[f] = y1[f];
        y1[f] = y;
        voiced += y / (f + 1);
      }
      const w = g.next();
      const hiss = j < fricative && !pause ? (w - lastNoise) * 0.2 * (1 - j / fricative) : 0; // first difference: high-passed
      lastNoise = w;
      out[i] = voiced * env + hiss;
    }
  }
  return unitRms(out);
}

function unitRms(x: Float32Array): Float32Array {
  let p = 0;
  for (const v of x) p += v * v;
  const rms = Math.sqrt(p / Math.max(1, x.length));
  if (rms > 0) for (let i = 0; i < x.length; i++) x[i] /= rms;
  return x;
}
