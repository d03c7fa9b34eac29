import type { Filter, FilterOutput } from './filter.js';
import { checkDuration } from './filter-options.js';

/**
 * `throttle` (ESPHome: https://esphome.io/components/sensor/filter/throttle):
 * `throttle: "1s"` passes a value only if at least that long has gone by
 * since the last value it passed; the others are dropped (not delayed).
 * The first value always passes. A number is a period in ms.
 *
 * NaN: passed or dropped like any other value, as ESPHome's plain throttle
 * does (ESPHome's separate throttle_with_priority filter is not offered).
 */
export class ThrottleFilter implements Filter {
  private readonly period: number;
  private lastSent = 0;
  private sent = false;

  constructor(period: number | string, path = 'throttle') {
    this.period = checkDuration(path, undefined, period);
  }

  push(value: number, time: number): FilterOutput[] {
    if (this.sent && time - this.lastSent < this.period) return [];
    this.sent = true;
    this.lastSent = time;
    return [{ value, time }];
  }
}
