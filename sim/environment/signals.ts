import { parseDuration } from '../../host/duration.js';
import { randomWalk } from './random-walk.js';

export { randomWalk };

/**
 * Environment signals: physical quantities as pure functions of simulated
 * time (ms since the scenario's start), so a scenario replays identically.
 * Randomness comes from a seeded generator, never Math.random. Each costs
 * O(1) memory whatever time it is asked at (the demo asks at today's date).
 */
export type Signal = (timeMs: number) => number;

export function constant(value: number): Signal {
  return () => value;
}

/** From `from` to `to` linearly between start and start + duration; flat outside. */
export function ramp(from: number, to: number, startMs: number, durationMs: number): Signal {
  return (t) => (t <= startMs ? from : t >= startMs + durationMs ? to : from + ((to - from) * (t - startMs)) / durationMs);
}

/** mean ± amplitude, period (default a day), phase 0..1 of a period. */
export function sine(mean: number, amplitude: number, periodMs = 86_400_000, phase = 0): Signal {
  return (t) => mean + amplitude * Math.sin(2 * Math.PI * (t / periodMs + phase));
}

/** Piecewise constant: the value of the last step at or before t (the first step's before it). */
export function steps(points: { at: number; value: number }[]): Signal {
  const sorted = points.slice().sort((a, b) => a.at - b.at);
  if (sorted.length === 0) throw new RangeError('steps needs at least one point');
  return (t) => {
    let v = sorted[0].value;
    for (const p of sorted) if (p.at <= t) v = p.value;
    return v;
  };
}

export function sum(signals: Signal[]): Signal {
  return (t) => signals.reduce((acc, s) => acc + s(t), 0);
}

/** mulberry32: a small, fast, seeded PRNG; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A signal as a scenario file writes it (schemas/scenario.schema.json#/$defs/signal). */
export type SignalSpec =
  | { constant: number }
  | { ramp: { from: number; to: number; start: string | number; duration: string | number } }
  | { sine: { mean: number; amplitude: number; period?: string | number; phase?: number } }
  | { randomWalk: { start: number; step: number; every: string | number; min?: number; max?: number } }
  | { steps: { at: string | number; value: number }[] }
  | { sum: SignalSpec[] };

export function signalFromSpec(spec: SignalSpec, seed: number): Signal {
  if ('constant' in spec) return constant(spec.constant);
  if ('ramp' in spec)
    return ramp(spec.ramp.from, spec.ramp.to, parseDuration(spec.ramp.start, 'ramp.start'), parseDuration(spec.ramp.duration, 'ramp.duration'));
  if ('sine' in spec)
    return sine(
      spec.sine.mean,
      spec.sine.amplitude,
      spec.sine.period === undefined ? undefined : parseDuration(spec.sine.period, 'sine.period'),
      spec.sine.phase,
    );
  if ('randomWalk' in spec) {
    const w = spec.randomWalk;
    return randomWalk(seed, w.start, w.step, parseDuration(w.every, 'randomWalk.every'), w.min, w.max);
  }
  if ('steps' in spec) return steps(spec.steps.map((p) => ({ at: parseDuration(p.at, 'steps.at'), value: p.value })));
  if ('sum' in spec) return sum(spec.sum.map((s, i) => signalFromSpec(s, seed * 31 + i + 1)));
  throw new RangeError(`unknown signal ${JSON.stringify(spec)}`);
}
