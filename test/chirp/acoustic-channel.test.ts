import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import FFT from 'fft.js';
import { toFloat32 } from '../../host/chirp/ggwave-engine.js';
import { AcousticChannel } from '../../sim/acoustic/acoustic-channel.js';
import { activePower, transmit } from '../../sim/acoustic/channel-transmit.js';
import { NoiseSource } from '../../sim/acoustic/noise.js';
import { Convolver, roomImpulseResponse } from '../../sim/acoustic/room.js';
import { speechWithEspeak, syntheticTalker } from '../../sim/acoustic/talker.js';

const tone = (n: number, hz: number, amp = 0.5): Float32Array => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / 48000));
const power = (x: Float32Array): number => x.reduce((s, v) => s + v * v, 0) / x.length;
const db = (r: number): number => 10 * Math.log10(r);

/** The power in each bin 0…n/2 of one FFT of the first n samples. */
function powerSpectrum(x: Float32Array, n: number): Float64Array {
  const spectrum = new Float64Array(2 * n);
  new FFT(n).realTransform(spectrum, Float64Array.from(x.subarray(0, n)));
  return Float64Array.from({ length: n / 2 + 1 }, (_, b) => spectrum[2 * b] ** 2 + spectrum[2 * b + 1] ** 2);
}

/** Power in [lo, hi) Hz from one FFT of the first 2^k samples. */
function bandPower(x: Float32Array, lo: number, hi: number, n = 1 << 16): number {
  const s = powerSpectrum(x, n);
  let p = 0;
  for (let b = Math.ceil((lo * n) / 48000); b < (hi * n) / 48000; b++) p += s[b];
  return p;
}

/** The strongest frequency, to within 48000 / 2^16 Hz. */
function peakHz(x: Float32Array, n = 1 << 16): number {
  const s = powerSpectrum(x, n);
  let best = 1;
  for (let b = 1; b < n / 2; b++) if (s[b] > s[best]) best = b;
  return (best * 48000) / n;
}

describe('acoustic channel', () => {
  it('noise: white and pink at unit RMS, seeded; pink falls 3 dB per octave', () => {
    for (const colour of ['white', 'pink'] as const) {
      const x = new NoiseSource(colour, 9).take(1 << 17);
      assert.ok(Math.abs(power(x) - 1) < 0.05, `${colour} power ${power(x)}`);
      assert.deepStrictEqual(new NoiseSource(colour, 9).take(100), x.subarray(0, 100));
    }
    const white = new NoiseSource('white', 1).take(1 << 16);
    const pink = new NoiseSource('pink', 1).take(1 << 16);
    assert.ok(Math.abs(db(bandPower(white, 1000, 2000) / bandPower(white, 8000, 16000)) + 9) < 1, 'white: 1–2 kHz holds 1/8 of 8–16 kHz');
    assert.ok(Math.abs(db(bandPower(pink, 1000, 2000) / bandPower(pink, 8000, 16000))) < 1.5, 'pink: equal power per octave');
  });

  it('SNR is signal over noise power, the signal measured where it sounds', () => {
    const sig = new Float32Array(96000);
    sig.set(tone(48000, 3000), 24000);
    const out = toFloat32(transmit(sig, { seed: 1, snrDb: 0 }));
    const noiseOnly = out.subarray(0, 20000);
    assert.ok(Math.abs(db(activePower(sig) / power(noiseOnly))) < 0.3);
  });

  it('drift: the receiver hears every frequency × (1 + drift)', () => {
    const out = toFloat32(transmit(tone(80000, 4000), { seed: 1, drift: 0.005 }));
    assert.ok(Math.abs(peakHz(out) - 4020) < 1.5, `heard ${peakHz(out)} Hz`);
    assert.ok(Math.abs(out.length - 80000 / 1.005) < 30);
  });

  it('echo: a seeded room response (direct path first, reverb decaying), applied by streaming convolution', () => {
    const ir = roomImpulseResponse({ seed: 4, rt60: 0.1 });
    assert.equal(ir.length, 4800);
    assert.equal(ir[0], 1);
    assert.deepStrictEqual(roomImpulseResponse({ seed: 4, rt60: 0.1 }), ir);
    assert.ok(power(ir.subarray(4000)) < power(ir.subarray(400, 1400)) / 100, 'the tail decays');
    const x = Float32Array.from({ length: 20000 }, (_, i) => Math.sin(i * 0.37) * (i % 7));
    const c = new Convolver(ir);
    const parts: number[] = [];
    for (let i = 0; i < x.length; i += 3000) parts.push(...c.push(x.subarray(i, i + 3000)));
    parts.push(...c.flush());
    assert.equal(parts.length, x.length);
    for (const n of [0, 100, 7777, 19999]) {
      let direct = 0;
      for (let k = 0; k < ir.length && k <= n; k++) direct += ir[k] * x[n - k];
      assert.ok(Math.abs(parts[n] - direct) < 1e-3, `sample ${n}`);
    }
  });

  it('attenuation, clipping and the 16-bit microphone', () => {
    const sig = tone(48000, 2000, 0.5);
    const quiet = toFloat32(transmit(sig, { seed: 1, attenuationDb: 20 }));
    assert.ok(Math.abs(db(power(quiet) / power(sig)) + 20) < 0.1);
    const clipped = toFloat32(transmit(sig, { seed: 1, clipAt: 0.3 }));
    assert.ok(clipped.every((v) => Math.abs(v) <= 0.15 + 1e-4));
    const faint = transmit(sig, { seed: 1, attenuationDb: 90 });
    assert.ok(
      faint.every((v) => Math.abs(v) <= 1),
      'below one step of the ADC',
    );
  });

  it('a talker: synthetic speech (or espeak-ng when installed) at a set signal-to-talker ratio', () => {
    const talk = syntheticTalker(3, 2);
    assert.ok(Math.abs(power(talk) - 1) < 1e-3);
    assert.deepStrictEqual(syntheticTalker(3, 2), talk);
    assert.ok(bandPower(talk, 100, 4000) > 5 * bandPower(talk, 4000, 24000), 'speech energy sits below 4 kHz');
    const espeak = speechWithEspeak('testing one two three');
    if (espeak) assert.ok(Math.abs(power(espeak) - 1) < 1e-3);
    const sig = tone(talk.length, 3000, 0.1); // the talker's whole length: unit RMS over it, not over any part
    const out = toFloat32(transmit(sig, { seed: 1, talker: { signal: talk, sirDb: 6 } }));
    const added = out.map((v, i) => v - sig[i]);
    assert.ok(Math.abs(db(power(sig) / power(added)) - 6) < 0.3);
  });

  it("as the simulator's air: 48 kHz mono only, heard through the model", () => {
    const air = new AcousticChannel({ seed: 1, attenuationDb: 6 });
    const heard: number[] = [];
    air.listen(48000, 1, (s) => void heard.push(...s));
    air.play(Int16Array.of(16384, -16384, 0), 48000, 1);
    assert.deepStrictEqual(heard, [8211, -8211, 0]);
    assert.throws(() => air.play(new Int16Array(4), 44100, 1), /48000 Hz mono/);
    assert.throws(() => air.listen(48000, 2, () => undefined), /48000 Hz mono/);
    assert.throws(() => new AcousticChannel({ seed: 1, drift: 0.5 }), /drift must be within/);
  });
});
