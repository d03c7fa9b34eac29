import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resample, Resampler } from '../../host/chirp/resampler.js';

const sine = (n: number, cyclesPerSample: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(2 * Math.PI * cyclesPerSample * i));

/** Amplitude and phase-free match of `x` against a sine of the given frequency (least squares on sin and cos). */
function fit(x: Float32Array, cyclesPerSample: number, from: number, to: number): { amp: number; residual: number } {
  let ss = 0,
    sc = 0,
    cc = 0,
    xs = 0,
    xc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin(2 * Math.PI * cyclesPerSample * i),
      c = Math.cos(2 * Math.PI * cyclesPerSample * i);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    xs += x[i] * s;
    xc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det,
    b = (xc * ss - xs * sc) / det;
  let res = 0;
  for (let i = from; i < to; i++) res += (x[i] - a * Math.sin(2 * Math.PI * cyclesPerSample * i) - b * Math.cos(2 * Math.PI * cyclesPerSample * i)) ** 2;
  return { amp: Math.hypot(a, b), residual: Math.sqrt(res / (to - from)) };
}

describe('resampler', () => {
  it('a tone keeps its amplitude and moves to f × step, from 1.9 kHz to 19.5 kHz at 48 kHz', () => {
    for (const hz of [1875, 6000, 19500]) {
      for (const step of [1.005, 0.997, 48000 / 44100]) {
        const y = resample(sine(48000, hz / 48000), step);
        assert.equal(y.length, Math.round(48000 / step));
        if (hz * step > 0.95 * 24000 * Math.min(1, 1 / step)) continue; // beyond the cut-off
        const f = fit(y, (hz * step) / 48000, 100, y.length - 100);
        assert.ok(Math.abs(f.amp - 1) < (hz > 15000 ? 0.05 : 0.005), `${hz} Hz × ${step}: amplitude ${f.amp}`);
        assert.ok(f.residual < 0.003, `${hz} Hz × ${step}: residual ${f.residual}`);
      }
    }
  });

  it('streams: chunks of any size give the same samples as the whole signal, and step may change on the way', () => {
    const x = sine(20000, 0.05);
    const whole = resample(x, 1.002);
    const r = new Resampler(1.002);
    const parts: number[] = [];
    for (let i = 0; i < x.length; i += 777) parts.push(...r.push(x.subarray(i, i + 777)));
    parts.push(...r.flush());
    assert.deepStrictEqual(Float32Array.from(parts.slice(0, whole.length)), whole);
    r.step = 0.999;
    assert.equal(r.step, 0.999);
    assert.ok(r.push(new Float32Array(1000)).length > 990);
  });

  it('refuses a step outside 0.25–4, naming it', () => {
    assert.throws(() => new Resampler(0), /step must be/);
    assert.throws(() => new Resampler(Number.NaN), RangeError);
  });
});
