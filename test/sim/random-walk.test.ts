import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalAt, uniformAt } from '../../sim/environment/counter-random.js';
import { fold, randomWalk, walkAt } from '../../sim/environment/random-walk.js';

const TODAY = Date.UTC(2026, 4, 17, 9, 30);
const MIN = 60_000;

function variance(xs: number[]): number {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
}

describe('counter-based randomness', () => {
  it('is a pure function of (seed, index, stream) with the moments of its distribution', () => {
    assert.equal(uniformAt(5, 2 ** 40 + 3), uniformAt(5, 2 ** 40 + 3));
    assert.notEqual(uniformAt(5, 7), uniformAt(6, 7));
    assert.notEqual(uniformAt(5, 7, 0), uniformAt(5, 7, 1));
    assert.notEqual(uniformAt(5, 7), uniformAt(5, 7 + 2 ** 32), 'the high bits of the index count');
    const z = Array.from({ length: 50_000 }, (_, i) => normalAt(9, i));
    const mean = z.reduce((a, x) => a + x, 0) / z.length;
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(variance(z) - 1) < 0.03, `variance ${variance(z)}`);
    const lag1 = z.slice(1).reduce((a, x, i) => a + x * z[i], 0) / (z.length - 1);
    assert.ok(Math.abs(lag1) < 0.02, `neighbours correlate: ${lag1}`);
  });
});

describe('a random walk without history', () => {
  it("gives the same value for the same seed and time, at today's date or far from it, in any order", () => {
    const times = [TODAY, 0, TODAY + 1e12, 5 * MIN, TODAY - MIN, 2 ** 50, TODAY + 59_999, -1000];
    const a = randomWalk(3, 10, 0.5, MIN, 0, 20);
    const first = times.map((t) => a(t));
    const b = randomWalk(3, 10, 0.5, MIN, 0, 20);
    const reversed = times
      .slice()
      .reverse()
      .map((t) => b(t))
      .reverse();
    assert.deepStrictEqual(reversed, first);
    assert.deepStrictEqual(
      times.map((t) => a(t)),
      first,
      'asking again changes nothing',
    );
    assert.equal(a(-1000), 10, 'start before time 0');
    assert.equal(a(TODAY), a(TODAY + 59_999), 'constant within a step');
    assert.notEqual(randomWalk(4, 10, 0.5, MIN, 0, 20)(TODAY), first[0], 'another seed, another walk');
  });

  it('moves each step with the variance of a uniform step in ±step (σ = step/√3), near its start and 30 M steps on', () => {
    for (const from of [0, TODAY]) {
      const w = randomWalk(11, 0, 0.3, MIN);
      const d = Array.from({ length: 20_000 }, (_, i) => w(from + (i + 1) * MIN) - w(from + i * MIN));
      assert.ok(Math.abs(variance(d) / (0.09 / 3) - 1) < 0.05, `step variance ${variance(d)} at ${from}`);
    }
  });

  it('wanders as far as a walk of that many steps would (Var W(n) = n)', () => {
    for (const n of [1000, 29_600_000]) {
      const end = Array.from({ length: 4000 }, (_, seed) => walkAt(seed, n));
      assert.ok(Math.abs(variance(end) / n - 1) < 0.1, `Var W(${n})/n = ${variance(end) / n}`);
    }
  });

  it('reflects off its bounds: the bounded walk is the free walk folded into [min, max]', () => {
    const free = randomWalk(21, 0.2, 0.05, MIN);
    const bounded = randomWalk(21, 0.2, 0.05, MIN, -0.6, 0.6);
    const values = Array.from({ length: 20_000 }, (_, i) => bounded(TODAY + i * MIN));
    for (const [i, v] of values.entries()) assert.equal(v, fold(free(TODAY + i * MIN), -0.6, 0.6));
    assert.ok(
      values.every((v) => v >= -0.6 && v <= 0.6),
      'within bounds',
    );
    assert.ok(values.some((v) => v > 0.5) && values.some((v) => v < -0.5), 'reaches both ends');
    assert.deepStrictEqual([fold(2.5, 0, 1), fold(-0.25, 0, 1), fold(1.25, -Infinity, 1), fold(-5, 0, Infinity), fold(3, 2, 2)], [0.5, 0.25, 0.75, 5, 2]);
  });

  it('refuses what cannot be a walk, naming the parameter', () => {
    assert.throws(() => randomWalk(1, 0, 1, 0), /every must be > 0 ms/);
    assert.throws(() => randomWalk(1, 0, -1, 1000), /step must be a finite number ≥ 0/);
    assert.throws(() => randomWalk(1, 0, 1, 1000, 2, 1), /min \(2\) must not be above max \(1\)/);
    assert.throws(() => randomWalk(1, 5, 1, 1000, 0, 1), /start \(5\) must be within \[0, 1\]/);
    assert.throws(() => randomWalk(1, 0, 1, 1000)(Number.NaN), /asked at time NaN/);
    assert.throws(() => randomWalk(1, 0, 1, 1)(2 ** 60), /beyond 2\^53 steps/);
  });
});
