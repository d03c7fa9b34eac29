import { normalAt } from './counter-random.js';

/** Steps beyond this lose integer precision in a double. */
const MAX_STEPS = Number.MAX_SAFE_INTEGER;

/**
 * Where a walk of standard normal steps is after n steps (n whole, 0 ≤ n < 2^53),
 * without walking there: Lévy's construction of Brownian motion, on integers.
 * W(2^k) is W(2^(k-1)) plus a normal of variance 2^(k-1); between two known
 * points L and R = L + m (m a power of two) the midpoint is their mean plus a
 * normal of variance m/4 (the Brownian bridge), halving down to n. Every index
 * ≥ 1 is the key of exactly one normal (a power of two in the first phase, a
 * midpoint in the second), so W is one fixed path, the same in any query order:
 * O(log n) time, O(1) memory. Its steps W(i+1) − W(i) are independent N(0, 1).
 */
export function walkAt(seed: number, n: number): number {
  if (n === 0) return 0;
  let lo = 0;
  let loValue = 0;
  let hi = 1;
  let hiValue = normalAt(seed, 1);
  while (hi < n) {
    lo = hi;
    loValue = hiValue;
    hi *= 2;
    hiValue = loValue + Math.sqrt(lo) * normalAt(seed, hi);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) / 2;
    const midValue = (loValue + hiValue) / 2 + Math.sqrt((hi - lo) / 4) * normalAt(seed, mid);
    if (n === mid) return midValue;
    if (n < mid) {
      hi = mid;
      hiValue = midValue;
    } else {
      lo = mid;
      loValue = midValue;
    }
  }
  return n === lo ? loValue : hiValue;
}

/**
 * Reflects x into [min, max] as a walk reflecting off the bounds would be:
 * folding the free walk gives the reflected walk exactly (its steps are
 * symmetric), so a bounded walk needs no history either.
 */
export function fold(x: number, min: number, max: number): number {
  if (min === -Infinity && max === Infinity) return x;
  if (max === Infinity) return x >= min ? x : 2 * min - x;
  if (min === -Infinity) return x <= max ? x : 2 * max - x;
  const width = max - min;
  if (width === 0) return min;
  const y = (((x - min) % (2 * width)) + 2 * width) % (2 * width);
  return min + (y <= width ? y : 2 * width - y);
}

/**
 * A seeded random walk as a signal of time: at t = 0 it is `start`; every
 * `everyMs` it moves by a normal step of the same variance as a uniform step
 * in ±step (σ = step/√3, so it wanders at the rate the scenario asks), and it
 * reflects off `min` and `max`. Random access: any time, in any order, costs
 * O(log steps) time and no memory (the last step asked is kept, as most
 * callers ask the same step many times). Times before 0 give `start`.
 */
export function randomWalk(seed: number, start: number, step: number, everyMs: number, min = -Infinity, max = Infinity): (timeMs: number) => number {
  if (!(everyMs > 0 && everyMs < Infinity)) throw new RangeError(`randomWalk every must be > 0 ms, got ${everyMs}`);
  if (!(step >= 0 && step < Infinity)) throw new RangeError(`randomWalk step must be a finite number ≥ 0, got ${step}`);
  if (!(min <= max)) throw new RangeError(`randomWalk min (${min}) must not be above max (${max})`);
  if (!(start >= min && start <= max)) throw new RangeError(`randomWalk start (${start}) must be within [${min}, ${max}]`);
  const sigma = step / Math.sqrt(3);
  let lastStep = 0;
  let lastValue = start;
  return (t) => {
    if (Number.isNaN(t)) throw new RangeError('randomWalk asked at time NaN');
    const n = Math.max(0, Math.floor(t / everyMs));
    if (n > MAX_STEPS) throw new RangeError(`randomWalk asked at ${t} ms: beyond 2^53 steps of ${everyMs} ms`);
    if (n !== lastStep) {
      lastStep = n;
      lastValue = fold(start + sigma * walkAt(seed, n), min, max);
    }
    return lastValue;
  };
}
