import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consensus, MIN_OUTLIER_MS, type ClockSample } from '../../host/time/consensus.js';

const s = (peer: string, offsetMs: number): ClockSample => ({ peer, offsetMs, rttMs: 2 });
const H2 = 2 * 3_600_000;

describe('consensus: drop beyond 2σ of the median, average the rest', () => {
  it('three honest peers (≈0 ± 50 ms) and one at +2 h: the liar is dropped, the mean within 50 ms', () => {
    const c = consensus([s('a', -40), s('liar', H2), s('b', 12), s('c', 47)]);
    assert.deepStrictEqual(
      c.dropped.map((x) => x.peer),
      ['liar'],
    );
    assert.deepStrictEqual(
      c.kept.map((x) => x.peer),
      ['a', 'b', 'c'],
    );
    assert.ok(Math.abs(c.offsetMs) < 50, `offset ${c.offsetMs}`);
    assert.ok(Math.abs(c.offsetMs - 19 / 3) < 1e-9, 'Math.abs(c.offsetMs - 19 / 3) < 1e-9');
    assert.equal(c.medianMs, (12 + 47) / 2);
    assert.ok(c.spreadMs < 50 && c.spreadMs > 0, 'c.spreadMs < 50 && c.spreadMs > 0');
    assert.ok(c.sigmaMs > 1_000_000, 'σ is of all samples, the liar included');
  });
  it('uses the population deviation: one liar among four agreeing peers sits beyond 2σ (it would sit at exactly 2σ with the sample deviation)', () => {
    const c = consensus([s('a', 0), s('b', 0), s('c', 0), s('liar', H2)]);
    assert.deepStrictEqual(
      c.dropped.map((x) => x.peer),
      ['liar'],
    );
    assert.equal(c.offsetMs, 0);
    assert.equal(c.spreadMs, 0);
    assert.ok(Math.abs(c.sigmaMs - (H2 * Math.sqrt(3)) / 4) < 1e-6, 'Math.abs(c.sigmaMs - (H2 * Math.sqrt(3)) / 4) < 1e-6');
  });
  it('two honest peers and one liar: the liar is dropped too', () => {
    for (const liar of [H2, -H2, 90_000]) {
      const c = consensus([s('a', 10), s('liar', liar), s('b', -20)]);
      assert.deepStrictEqual(
        c.dropped.map((x) => x.peer),
        ['liar'],
        String(liar),
      );
      assert.equal(c.offsetMs, -5);
    }
  });
  it('honest peers agreeing to a few ms are never outliers, however their jitter falls (the rule alone is scale-free)', () => {
    // Two together and one 3 ms away: 3 ms is beyond 2σ (σ = √2 ms), but it is jitter, not a lie.
    const c = consensus([s('a', 600_000), s('b', 600_000), s('c', 600_003)]);
    assert.ok(3 > 2 * c.sigmaMs, '3 > 2 * c.sigmaMs');
    assert.equal(c.dropped.length, 0, `dropped ${c.dropped.map((x) => x.peer).join(',')} (σ ${c.sigmaMs})`);
    assert.equal(c.offsetMs, 600_001);
    assert.equal(MIN_OUTLIER_MS, 1000);
    // Beyond the floor, the 2σ rule decides again: 0, 0 and 5 s.
    assert.deepStrictEqual(
      consensus([s('a', 0), s('b', 0), s('c', 5000)]).dropped.map((x) => x.peer),
      ['c'],
    );
  });
  it('identical samples: σ = 0 and all are kept', () => {
    const c = consensus([s('a', 600_000), s('b', 600_000), s('c', 600_000)]);
    assert.equal(c.kept.length, 3);
    assert.equal(c.dropped.length, 0);
    assert.deepStrictEqual([c.offsetMs, c.medianMs, c.sigmaMs, c.spreadMs], [600_000, 600_000, 0, 0]);
  });
  it('one sample: kept as it is', () => {
    const c = consensus([s('a', -1234.5)]);
    assert.deepStrictEqual([c.offsetMs, c.sigmaMs, c.kept.length, c.dropped.length], [-1234.5, 0, 1, 0]);
  });
  it('two that disagree: neither can be told a liar, both are kept (the mean lies between)', () => {
    const c = consensus([s('a', 0), s('b', H2)]);
    assert.equal(c.kept.length, 2);
    assert.equal(c.offsetMs, H2 / 2);
  });
  it('no samples: NaN, nothing kept', () => {
    const c = consensus([]);
    assert.ok(
      Number.isNaN(c.offsetMs) && Number.isNaN(c.medianMs) && Number.isNaN(c.sigmaMs) && Number.isNaN(c.spreadMs),
      'Number.isNaN(c.offsetMs) && Number.isNaN(c.medianMs) && Number.isNaN(c.sigmaMs) && Number.isNaN(c.spreadMs)',
    );
    assert.deepStrictEqual([c.kept, c.dropped], [[], []]);
  });
  it('does not reorder or mutate its input', () => {
    const input = [s('c', 30), s('a', 10), s('b', 20)];
    const copy = structuredClone(input);
    const c = consensus(input);
    assert.deepStrictEqual(input, copy);
    assert.deepStrictEqual(
      c.kept.map((x) => x.peer),
      ['c', 'a', 'b'],
    );
    assert.equal(c.medianMs, 20);
  });
});
