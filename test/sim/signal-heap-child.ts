/**
 * Run by signal-memory.test.ts in a child (`node --expose-gc`): builds the
 * demo's kind of signals, asks them at today's date and at times far apart,
 * and prints the heap before and after, each after a full collection.
 */
import { randomWalk, signalFromSpec, sine, sum, type Signal } from '../../sim/environment/signals.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const DAY = 86_400_000;
// As sim/node/demo-nodes.ts: a daily cycle plus a wander of a step a minute, in absolute time.
const signals: Signal[] = [1, 2, 3, 4, 5, 6].map((seed) => sum([sine(20, 2, DAY, 0.375), randomWalk(seed, 0, 0.05 * seed, 60_000, -seed, seed)]));
signals.push(
  signalFromSpec({ randomWalk: { start: 101_325, step: 5, every: '1m', min: 99_000, max: 103_000 } }, 42),
  signalFromSpec({ randomWalk: { start: 0, step: 1, every: '1s' } }, 43),
  signalFromSpec({ sum: [{ ramp: { from: 0, to: 1, start: '1h', duration: '1h' } }, { steps: [{ at: '0s', value: 1 }] }, { constant: 2 }] }, 44),
);

const heap = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};
const before = heap();
const now = Date.now();
const times = [now, 0, now + 1e12, now - 1e12, 2 ** 45, now + 60_000, now - 60_000, 1, now];
let total = 0;
for (const t of times) for (const s of signals) total += s(t);
// Many steps far apart, in no order.
for (let i = 0; i < 20_000; i++) total += signals[i % signals.length](((i * 7_919_000_003) % 2 ** 41) + (i % 2) * now);
const after = heap();
process.stdout.write(JSON.stringify({ before, after, finite: Number.isFinite(total) }) + '\n');
