/**
 * Environment signals as pure functions of simulated time (ms), so a
 * scenario replays identically. Richer signals and faults come with the
 * device models.
 */
export type Signal = (timeMs: number) => number;

/** A daily-style sine: mean ± amplitude over periodMs, starting at phase (0..1). */
export function sine(mean: number, amplitude: number, periodMs: number, phase = 0): Signal {
  return (t) => mean + amplitude * Math.sin(2 * Math.PI * (t / periodMs + phase));
}

/** Rounds to the sensor's resolution. */
export function quantize(signal: Signal, step: number): Signal {
  return (t) => Math.round(signal(t) / step) * step;
}
