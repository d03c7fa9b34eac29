import type { Filter, FilterOutput } from './filter.js';
import { checkDuration, checkFinite, checkOptions, isOptionsObject } from './filter-options.js';

/** `timeout: "10s"`, or the long form `{ timeout: "10s", value: 0 }` / `{ timeout: "10s", value: "last" }`. */
export type TimeoutOptions = number | string | { timeout?: number | string; value?: number | 'last' };

/**
 * `timeout` (ESPHome: https://esphome.io/components/sensor/filter/timeout):
 * passes every value on at once; once a first value has come, if no new
 * value comes within `timeout`, sends `value` once: NaN by default (what
 * ESPHome sends, shown as "unknown"), a configured number, or "last" for
 * the last value received. It then stays quiet until the next value,
 * which re-arms it.
 *
 * Time: the timeout output is stamped with the time it fell due (last
 * input + timeout). A value arriving exactly `timeout` after the previous
 * one counts as in time. If no tick came in between, a push first sends
 * the overdue timeout value, then the new value.
 *
 * NaN: an incoming NaN is passed on and re-arms the timeout like any other
 * value (ESPHome does the same); with "last" it is what gets repeated.
 */
export class TimeoutFilter implements Filter {
  private readonly period: number;
  private readonly value: number | 'last';
  private deadline = NaN;
  private last = NaN;

  constructor(options: TimeoutOptions, path = 'timeout') {
    if (isOptionsObject(options)) {
      const o = checkOptions(path, options, ['timeout', 'value']);
      if (o.timeout === undefined) throw new TypeError(`${path}.timeout is required`);
      this.period = checkDuration(path, 'timeout', o.timeout);
      this.value = o.value === undefined ? NaN : o.value === 'last' ? 'last' : checkValue(path, o.value);
    } else {
      this.period = checkDuration(path, undefined, options);
      this.value = NaN;
    }
  }

  push(value: number, time: number): FilterOutput[] {
    const out = this.due(time, false);
    out.push({ value, time });
    this.last = value;
    this.deadline = time + this.period;
    return out;
  }

  tick(time: number): FilterOutput[] {
    return this.due(time, true);
  }

  private due(time: number, inclusive: boolean): FilterOutput[] {
    if (Number.isNaN(this.deadline) || (inclusive ? this.deadline > time : this.deadline >= time)) return [];
    const at = this.deadline;
    this.deadline = NaN;
    return [{ value: this.value === 'last' ? this.last : this.value, time: at }];
  }
}

function checkValue(path: string, v: unknown): number {
  if (typeof v === 'string') throw new RangeError(`${path}.value must be a number or "last", got "${v}"`);
  if (typeof v === 'number' && Number.isNaN(v)) return v;
  return checkFinite(path, 'value', v);
}
