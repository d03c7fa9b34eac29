import { checkInteger } from './filter-options.js';

/** The largest window_size / send_every accepted (ESPHome keeps them in 16 bits). */
export const MAX_COUNT = 65535;

/**
 * ESPHome's send_every / send_first_at counting, shared by the moving
 * average, exponential average and median filters: a result goes out on
 * the send_first_at-th value received, then on every send_every-th value
 * after that. With send_every 5 and send_first_at 1 (the default) that is
 * values 1, 6, 11, …; with send_first_at 3 it is values 3, 8, 13, …
 * Every input counts, NaN included. send_first_at must be from 1 to
 * send_every.
 */
export class SendEvery {
  private readonly every: number;
  private count: number;

  constructor(every: number, firstAt: number) {
    this.every = every;
    this.count = every - firstAt;
  }

  /** Counts one input; true when this input sends. */
  step(): boolean {
    this.count++;
    if (this.count < this.every) return false;
    this.count = 0;
    return true;
  }
}

/** Reads send_every and send_first_at (defaults: `defaultEvery` and 1) from a checked options object. */
export function readSendEvery(path: string, o: Record<string, unknown>, defaultEvery: number): SendEvery {
  const every = o.send_every === undefined ? defaultEvery : checkInteger(path, 'send_every', o.send_every, 1, MAX_COUNT);
  const firstAt = o.send_first_at === undefined ? 1 : checkInteger(path, 'send_first_at', o.send_first_at, 1, MAX_COUNT);
  if (firstAt > every) throw new RangeError(`${path}.send_first_at must be at most send_every (${every}), got ${firstAt}`);
  return new SendEvery(every, firstAt);
}
