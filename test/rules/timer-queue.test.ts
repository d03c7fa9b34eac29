import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Timer, TimerQueue } from '../../host/rules/timer-queue.js';

/** Every timer due by `t`, in firing order, as their payloads. */
function takeAll(q: TimerQueue<number>, t: number): number[] {
  const out: number[] = [];
  for (let x = q.take(t); x; x = q.take(t)) out.push(x.payload);
  return out;
}

describe('rules timer queue: cancelled timers do not pile up', () => {
  it('10,000 timers due in a day, each cancelled: the queue holds a bounded number of slots, not 10,000', () => {
    const q = new TimerQueue<number>();
    const day = 86_400_000;
    // As a delay restarted by every reading: each new timer cancels the one before.
    let last: Timer | undefined;
    for (let i = 0; i < 10_000; i++) {
      last?.cancel();
      last = q.add(day + i, i);
    }
    assert.ok(q.held <= 128, `held ${q.held} slots for 1 live timer`);
    assert.deepEqual(takeAll(q, 2 * day), [9999]);
  });

  it('sweeping keeps the firing order of the live timers (due time, then the order they were set)', () => {
    const q = new TimerQueue<number>();
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const live: { due: number; n: number }[] = [];
    const timers: Timer[] = [];
    for (let n = 0; n < 2000; n++) {
      const due = Math.floor(rnd() * 50); // many ties
      timers.push(q.add(due, n));
      live.push({ due, n });
    }
    // Cancel three in four, in a scattered order: several sweeps happen along the way.
    const cancelled = new Set<number>();
    for (let n = 0; n < 2000; n++) if (n % 4 !== 1) cancelled.add(n);
    for (const n of [...cancelled].sort((a, b) => ((a * 7919) % 2000) - ((b * 7919) % 2000))) timers[n].cancel();
    assert.ok(q.held < 2 * (2000 - cancelled.size) + 64, `held ${q.held}`);
    const expected = live
      .filter((x) => !cancelled.has(x.n))
      .sort((a, b) => a.due - b.due || a.n - b.n)
      .map((x) => x.n);
    assert.deepEqual(takeAll(q, 100), expected);
  });

  it('a timer cancelled after it fired, or twice, does not count as a cancelled slot again', () => {
    const q = new TimerQueue<number>();
    const early = q.add(1, -1);
    assert.deepEqual(takeAll(q, 1), [-1]);
    early.cancel();
    early.cancel();
    const ts = Array.from({ length: 200 }, (_, i) => q.add(10 + i, i));
    for (let i = 0; i < 200; i += 2) {
      ts[i].cancel();
      ts[i].cancel();
    }
    assert.ok(q.held <= 200, `held ${q.held}`);
    assert.deepEqual(
      takeAll(q, 1000),
      Array.from({ length: 100 }, (_, i) => 2 * i + 1),
    );
    assert.equal(q.held, 0);
  });
});
