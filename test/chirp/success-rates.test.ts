import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHIRP_MODES, loadGgwave, type ChirpMode } from '../../host/chirp/ggwave-engine.js';
import { successes, type Condition } from '../../sim/acoustic/chirp-trials.js';
import { speechWithEspeak, syntheticTalker } from '../../sim/acoustic/talker.js';

/**
 * What the design promises, per mode, through the simulated acoustic
 * channel, with few trials (bench/chirp.ts runs the large sweeps). A trial:
 * a 48-byte message (one frame), seeded noise, room and drift sign, a fresh
 * receiver. SNR is over the full band (0–24 kHz), signal power over its
 * active part. The floors below sit under what was measured (in the
 * comments, 6–12 trials per cell with the synthetic talker, before these
 * were written); the seeds are fixed, so a drop is a regression, not luck.
 */
const BYTES = 48;
const engine = await loadGgwave();

async function rate(mode: ChirpMode, trials: number, c: Condition, options?: { driftCorrection?: boolean }): Promise<{ ok: number; codes: string[] }> {
  return successes(engine, mode, BYTES, trials, c, 1, options);
}

describe('chirp success rates through the acoustic channel', () => {
  it('every mode, echo and ±0.3 % drift: all at 10 and 0 dB, most at −5 dB, and the channel bites at −10 dB', async () => {
    // measured [10 dB, 0 dB, −5 dB, −10 dB] of 12: robust 12 12 12 8, standard 12 12 12 6, fast 12 12 12 0,
    // robust-ultrasound 12 12 11 5, standard-ultrasound 12 12 12 2, fast-ultrasound 12 12 12 0
    for (const mode of CHIRP_MODES) {
      for (const [snrDb, floor] of [
        [10, 4],
        [0, 4],
        [-5, 3],
      ] as const) {
        const r = await rate(mode, 4, { snrDb, echo: true, drift: 0.003 });
        assert.ok(r.ok >= floor, `${mode} at ${snrDb} dB: ${r.ok}/4 (${r.codes.join(', ')})`);
      }
    }
    const cliff = await rate('fast', 4, { snrDb: -10, echo: true, drift: 0.003 });
    assert.ok(cliff.ok <= 1, `fast at −10 dB should mostly fail, got ${cliff.ok}/4`);
    assert.ok(
      cliff.codes.every((c) => c === 'nothing-detected'),
      cliff.codes.join(),
    );
  });

  it('pink noise, a background talker, clipping, attenuation, ±0.5 % drift', async () => {
    const talker = speechWithEspeak('The quick brown fox jumps over the lazy dog. Sensor seven reports twenty one degrees.') ?? syntheticTalker(20, 5);
    const conditions: [string, Condition, number][] = [
      ['pink noise 0 dB, echo', { snrDb: 0, noise: 'pink', echo: true }, 3], // measured 6/6 each mode
      ['pink noise −5 dB, echo', { snrDb: -5, noise: 'pink', echo: true }, 3], // 6/6
      ['talker as loud as the signal, noise 10 dB, echo', { snrDb: 10, talker: { signal: talker, sirDb: 0 }, echo: true }, 3], // 6/6
      ['talker 5 dB louder, noise 10 dB, echo', { snrDb: 10, talker: { signal: talker, sirDb: -5 }, echo: true }, 3], // 6/6
      ['clipped at 0.3 of the peak, 10 dB, echo', { snrDb: 10, clipAt: 0.3, echo: true }, 2], // fast 5/6
      ['clipped at 0.1 of the peak, 10 dB, echo', { snrDb: 10, clipAt: 0.1, echo: true }, 3], // 6/6
      ['40 dB quieter over a −60 dBFS noise floor', { noiseRms: 0.001, attenuationDb: 40 }, 3], // 6/6
      ['±0.5 % drift, 10 dB, echo', { snrDb: 10, drift: 0.005, echo: true }, 3], // 6/6
    ];
    for (const mode of ['robust', 'fast', 'standard-ultrasound'] as ChirpMode[]) {
      for (const [name, c, floor] of conditions) {
        const r = await rate(mode, 3, c);
        assert.ok(r.ok >= floor, `${mode}, ${name}: ${r.ok}/3 (${r.codes.join(', ')})`);
      }
      const buried = await rate(mode, 2, { noiseRms: 0.001, attenuationDb: 60 });
      assert.equal(buried.ok, 0, `${mode}: 60 dB down under the noise floor should not decode`); // measured 0/6
    }
  });

  it('drift: ggwave alone fails at ±0.5 % (audible) and ±0.1 % (ultrasound); corrected, both decode up to ±0.7 %', async () => {
    // measured of 8 at 20 dB: standard alone 8 8 8 0 0 at 0.1 0.2 0.3 0.5 0.7 %, corrected 8 8 8 8 8;
    // standard-ultrasound alone 0 0 0 0 0, corrected 8 8 8 8 8
    for (const [mode, drift, alone] of [
      ['standard', 0.001, 3],
      ['standard', 0.003, 3],
      ['standard', 0.005, 0],
      ['standard', 0.007, 0],
      ['standard-ultrasound', 0.001, 0],
      ['standard-ultrasound', 0.003, 0],
      ['standard-ultrasound', 0.005, 0],
      ['standard-ultrasound', 0.007, 0],
    ] as const) {
      const c = { snrDb: 20, drift };
      const plain = await rate(mode, 3, c, { driftCorrection: false });
      if (alone === 0) assert.ok(plain.ok <= 1, `${mode} at ${drift * 100} % without correction: ${plain.ok}/3`);
      else assert.ok(plain.ok >= alone, `${mode} at ${drift * 100} % without correction: ${plain.ok}/3`);
      const corrected = await rate(mode, 3, c);
      assert.equal(corrected.ok, 3, `${mode} at ${drift * 100} % corrected: ${corrected.codes.join(', ')}`);
    }
  });
});
