import type { Aggregate } from './load-checks.js';

/** A figure's value at a beat: [at, value]. */
export type Sample = [at: number, value: number];

/** The newest sample at or before `cut`, if any. */
function lastAtOrBefore(samples: readonly Sample[], cut: number): number {
  let i = -1;
  while (i + 1 < samples.length && samples[i + 1][0] <= cut) i++;
  return i;
}

/**
 * Adds this beat's sample and keeps what a window of `windowMs` still needs:
 * the samples inside it and the newest one at or before its start (the
 * baseline of an increase). A beat at the same time replaces that sample.
 *
 * `runs`: a run of equal values is kept as its first sample and its last
 * two, which changes no increase, max or min (a dropped sample has the
 * value of a kept one on each side), but would a mean. A counter that stays
 * at 0, as most nodes' gaps and failed commands do, then holds 3 samples,
 * not one a beat over its window (a day of one-minute beats: 1,441).
 */
export function addSample(samples: Sample[], at: number, value: number | undefined, windowMs: number, runs = false): Sample[] {
  const kept = samples.length && samples[samples.length - 1][0] === at ? samples.slice(0, -1) : samples.slice();
  // The middle of three equal samples goes; the newest is not judged yet, as a beat at the same time may replace it.
  const n = kept.length;
  if (runs && n >= 3 && kept[n - 1][1] === kept[n - 2][1] && kept[n - 2][1] === kept[n - 3][1]) kept.splice(n - 2, 1);
  if (value !== undefined) kept.push([at, value]);
  return kept.slice(Math.max(0, lastAtOrBefore(kept, at - windowMs)));
}

/**
 * The value a check judges: the figure `now` (last), or max, min or mean of
 * the samples inside [at − window, at], or the increase of a counter over the
 * window.
 *
 * increase: the value now minus the counter's value when the window opened,
 * which is the newest sample at or before the window's start when one is kept
 * (so a window as long as the beat interval still sees the previous beat when
 * a beat comes a little late), else the oldest sample inside the window (a
 * counter that existed before its first sample here counts only from that
 * sample: never its whole value). Only when the current sample is the series'
 * very first is the increase the value itself: counters count from the hub's
 * start, as Prometheus counters do. A drop between two samples is a restart,
 * counted from 0 (Prometheus' increase()).
 */
export function aggregateOf(samples: readonly Sample[], at: number, windowMs: number, aggregate: Aggregate, now: number): number {
  if (aggregate === 'last') return now;
  if (aggregate === 'increase') {
    const from = Math.max(0, lastAtOrBefore(samples, at - windowMs));
    if (samples.length - from <= 1) return now;
    let sum = 0;
    for (let i = from + 1; i < samples.length; i++) {
      const d = samples[i][1] - samples[i - 1][1];
      sum += d >= 0 ? d : samples[i][1];
    }
    return sum;
  }
  const inside = samples.filter(([t]) => t >= at - windowMs).map(([, v]) => v);
  if (aggregate === 'max') return Math.max(...inside);
  if (aggregate === 'min') return Math.min(...inside);
  return inside.reduce((a, b) => a + b, 0) / inside.length;
}
