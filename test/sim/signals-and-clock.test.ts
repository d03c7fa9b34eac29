import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constant, ramp, randomWalk, signalFromSpec, sine, steps, sum } from '../../sim/environment/signals.js';
import { parseDuration } from '../../host/duration.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

describe('environment signals', () => {
  it('constant, ramp, sine, steps and sum', () => {
    assert.equal(constant(4)(1e9), 4);
    const r = ramp(10, 20, 1000, 1000);
    assert.deepStrictEqual([r(0), r(1000), r(1500), r(2000), r(9999)], [10, 10, 15, 20, 20]);
    const s = sine(20, 5, 4000);
    assert.ok(Math.abs(s(1000) - 25) < 1e-9 && Math.abs(s(3000) - 15) < 1e-9);
    const st = steps([
      { at: 500, value: 2 },
      { at: 0, value: 1 },
    ]);
    assert.deepStrictEqual([st(0), st(499), st(500), st(10_000)], [1, 1, 2, 2]);
    assert.equal(sum([constant(1), constant(2)])(0), 3);
  });
  it('a random walk is seeded, bounded, and the same in any query order', () => {
    const a = randomWalk(7, 0, 1, 1000, -3, 3);
    const forward = Array.from({ length: 200 }, (_, i) => a(i * 1000));
    const b = randomWalk(7, 0, 1, 1000, -3, 3);
    const backward = Array.from({ length: 200 }, (_, i) => b((199 - i) * 1000)).reverse();
    assert.deepStrictEqual(forward, backward);
    assert.ok(forward.every((v) => v >= -3 && v <= 3));
    assert.notDeepStrictEqual(
      forward,
      Array.from({ length: 200 }, (_, i) => randomWalk(8, 0, 1, 1000, -3, 3)(i * 1000)),
    );
  });
  it('specs from scenario files, with durations in words', () => {
    assert.equal(signalFromSpec({ ramp: { from: 0, to: 10, start: '1m', duration: '1m' } }, 1)(90_000), 5);
    assert.equal(
      signalFromSpec(
        {
          steps: [
            { at: '0s', value: 1 },
            { at: '2h', value: 9 },
          ],
        },
        1,
      )(7_200_000),
      9,
    );
    assert.deepStrictEqual(
      [parseDuration('250ms'), parseDuration('30s'), parseDuration('5m'), parseDuration('24h'), parseDuration('2d'), parseDuration(7)],
      [250, 30_000, 300_000, 86_400_000, 172_800_000, 7],
    );
    assert.throws(() => parseDuration('5 minutes'), /'5 minutes' is not a duration/);
  });
});

describe('virtual clock', () => {
  it('runs timers in time order, FIFO at equal times, each seeing its due time', () => {
    const c = new VirtualClock(0);
    const seen: string[] = [];
    c.setTimeout(() => seen.push(`b@${c.now()}`), 20);
    c.setTimeout(() => seen.push(`a@${c.now()}`), 10);
    c.setTimeout(() => seen.push(`c@${c.now()}`), 20);
    c.runUntil(100);
    assert.deepStrictEqual(seen, ['a@10', 'b@20', 'c@20']);
    assert.equal(c.now(), 100);
  });
  it('delay advances time at once; cleared timers do not run', () => {
    const c = new VirtualClock(0);
    let ran = false;
    const id = c.setTimeout(() => {
      ran = true;
    }, 5);
    c.clearTimeout(id);
    c.delay(8.3);
    assert.equal(c.now(), 8.3);
    c.runFor(10);
    assert.equal(ran, false);
  });
  it('refuses a runaway timer loop instead of spinning forever', () => {
    const c = new VirtualClock(0);
    const loop = () => void c.setTimeout(loop, 0);
    loop();
    assert.throws(() => c.runUntil(1, 1000), /runaway/);
  });
});
