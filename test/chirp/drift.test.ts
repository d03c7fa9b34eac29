import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBytes, MessageReceiver } from '../../host/chirp/chirp.js';
import { addBlockSpectrum, BLOCK, CONFIDENT, DriftCorrector, estimateRatio } from '../../host/chirp/drift.js';
import { loadGgwave, toFloat32 } from '../../host/chirp/ggwave-engine.js';
import { resample } from '../../host/chirp/resampler.js';
import { transmit } from '../../sim/acoustic/channel-transmit.js';
import { NoiseSource } from '../../sim/acoustic/noise.js';
import { syntheticTalker } from '../../sim/acoustic/talker.js';

const message = Uint8Array.from({ length: 60 }, (_, i) => (i * 41) & 255);

function spectrum(x: Float32Array): Float64Array {
  const sum = new Float64Array(BLOCK / 2 + 1);
  for (let i = 0; i + BLOCK <= x.length; i += BLOCK) addBlockSpectrum(x.subarray(i, i + BLOCK), sum);
  return sum;
}

describe('drift estimation and correction', () => {
  it('a block spectrum (fft.js, Hann window) puts a tone on its bin, DC on bin 0 and Nyquist on the last, and adds up', () => {
    const k = 16 * 40; // ggwave's lowest tone, 1875 Hz, on the fine grid
    const x = Float32Array.from({ length: BLOCK }, (_, i) => 0.5 * Math.cos((2 * Math.PI * k * i) / BLOCK) + 0.25 * (i % 2 ? -1 : 1) + 0.125);
    const sum = new Float64Array(BLOCK / 2 + 1);
    addBlockSpectrum(x, sum);
    // Hann's coherent gain is 1/2: amplitude A at bin k gives A·N/4 there and −A·N/8 beside it; DC and Nyquist give A·N/2
    const expected = new Map([
      [0, (0.125 * BLOCK) / 2],
      [1, (0.125 * BLOCK) / 4],
      [k - 1, (0.5 * BLOCK) / 8],
      [k, (0.5 * BLOCK) / 4],
      [k + 1, (0.5 * BLOCK) / 8],
      [BLOCK / 2 - 1, (0.25 * BLOCK) / 4],
      [BLOCK / 2, (0.25 * BLOCK) / 2],
    ]);
    for (let b = 0; b <= BLOCK / 2; b++) {
      const want = (expected.get(b) ?? 0) ** 2;
      assert.ok(Math.abs(sum[b] - want) <= 1e-6 * BLOCK ** 2, `bin ${b}: ${sum[b]}, expected ${want}`);
    }
    const once = sum.slice();
    addBlockSpectrum(x, sum);
    assert.deepStrictEqual(
      sum,
      once.map((v) => 2 * v),
      'a second block adds its power',
    );
  });

  it("reads the sender/receiver rate ratio off ggwave's tone comb, audible and ultrasound, to 0.01 %", async () => {
    for (const [mode, band] of [
      ['standard', 'audible'],
      ['standard-ultrasound', 'ultrasound'],
    ] as const) {
      const pcm = await encodeBytes(message, { mode });
      for (const ratio of [1.005, 0.996, 1.001]) {
        const e = estimateRatio(spectrum(resample(pcm, ratio)));
        assert.equal(e.band, band);
        assert.ok(Math.abs(e.ratio - ratio) < 1e-4, `${mode} at ${ratio}: estimated ${e.ratio}`);
        assert.ok(e.score >= CONFIDENT);
      }
    }
  });

  it('noise alone does not count: ratio stays 1 and the audio comes out whole, at most 5 s late', () => {
    const noise = new NoiseSource('pink', 4).take(48000 * 8, 0.1);
    assert.ok(estimateRatio(spectrum(noise)).score < CONFIDENT);
    const dc = new DriftCorrector();
    let out = 0;
    for (let i = 0; i < noise.length; i += 4096) {
      out += dc.push(noise.subarray(i, i + 4096)).length;
      assert.ok(i + 4096 - out <= 5 * 48000 + 4096, 'held at most 5 s');
    }
    out += dc.flush().length;
    assert.equal(dc.ratio, 1);
    assert.ok(Math.abs(out - noise.length) <= 16);
  });

  it('after 20 s of a talker and noise, a message with +0.4 % drift: locked on the message, decoded', async () => {
    const engine = await loadGgwave();
    const m = await encodeBytes(message, { mode: 'fast' });
    const pcm = new Float32Array(m.length + 20 * 48000);
    pcm.set(m, 20 * 48000);
    const heard = toFloat32(transmit(pcm, { seed: 5, snrDb: 5, drift: 0.004, echo: { seed: 5 }, talker: { signal: syntheticTalker(25, 3), sirDb: 0 } }));
    const rx = new MessageReceiver(engine);
    let got: Uint8Array | undefined;
    for (let i = 0; i < heard.length && !got; i += 4096) got = rx.push(heard.subarray(i, i + 4096));
    got ??= rx.end();
    assert.ok(Math.abs(rx.progress.ratio - 1.004) < 1e-4, `ratio ${rx.progress.ratio}`);
    rx.close();
    assert.deepStrictEqual(got, message);
  });
});
