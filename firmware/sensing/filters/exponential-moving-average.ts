import type { Filter, FilterOutput } from './filter.js';
import { checkFinite, checkOptions } from './filter-options.js';
import { readSendEvery, type SendEvery } from './send-every.js';

export interface ExponentialMovingAverageOptions {
  /** Weight of each new value, 0 < alpha <= 1. Default 0.1. */
  alpha?: number;
  /** A result goes out every send_every values. Default 15. */
  send_every?: number;
  /** The first result goes out on this value (1..send_every). Default 1. */
  send_first_at?: number;
}

/**
 * `exponential_moving_average` (ESPHome:
 * https://esphome.io/components/sensor/filter/exponential_moving_average):
 * average = alpha * value + (1 - alpha) * average, starting from the first
 * value itself; sent on the send_first_at-th value and then every
 * send_every values (see send-every.ts). Defaults as ESPHome's: alpha 0.1,
 * send_every 15, send_first_at 1. A higher alpha follows changes faster; a
 * lower one removes more noise.
 *
 * NaN: as in current ESPHome, a NaN leaves the average untouched but counts
 * toward send_every, and if it is the value that sends, NaN is sent (the
 * average carries on with the next real value).
 * The output time is the time of the value that triggered it.
 */
export class ExponentialMovingAverageFilter implements Filter {
  private readonly alpha: number;
  private readonly send: SendEvery;
  private average = NaN;

  constructor(options: ExponentialMovingAverageOptions = {}, path = 'exponential_moving_average') {
    const o = checkOptions(path, options, ['alpha', 'send_every', 'send_first_at']);
    this.alpha = o.alpha === undefined ? 0.1 : checkFinite(path, 'alpha', o.alpha);
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError(`${path}.alpha must be greater than 0 and at most 1, got ${this.alpha}`);
    this.send = readSendEvery(path, o, 15);
  }

  push(value: number, time: number): FilterOutput[] {
    const nan = Number.isNaN(value);
    if (!nan) this.average = Number.isNaN(this.average) ? value : this.alpha * value + (1 - this.alpha) * this.average;
    if (!this.send.step()) return [];
    return [{ value: nan ? NaN : this.average, time }];
  }
}
