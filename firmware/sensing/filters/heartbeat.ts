import type { Filter, FilterOutput } from './filter.js';
import { checkBoolean, checkDuration, checkOptions, isOptionsObject } from './filter-options.js';

/** `heartbeat: "5s"`, or the long form `{ period: "5s", optimistic: true }`. */
export type HeartbeatOptions = number | string | { period?: number | string; optimistic?: boolean };

/**
 * `heartbeat` (ESPHome: https://esphome.io/components/sensor/filter/heartbeat):
 * sends the last value received every `period`, whether or not new values
 * came in between; a new value does not restart the period. Nothing is sent
 * before the first value. Without `optimistic` (the default, false) incoming
 * values are not passed on at once: only the beats go out, as in ESPHome.
 * With `optimistic: true` every incoming value also goes out immediately.
 *
 * Time: ESPHome runs the beat on an interval from boot. Here the beats are at
 * start + k * period, where start is the time of the first push or tick this
 * filter sees (tick once at boot to anchor it there). Each beat is stamped
 * with its own time. If the caller ticks late and several beats fell due,
 * only the latest is sent (they would all repeat the same value).
 *
 * NaN: stored and repeated like any other value, as in ESPHome.
 */
export class HeartbeatFilter implements Filter {
  private readonly period: number;
  private readonly optimistic: boolean;
  private nextBeat = NaN;
  private last = NaN;
  private hasValue = false;

  constructor(options: HeartbeatOptions, path = 'heartbeat') {
    if (isOptionsObject(options)) {
      const o = checkOptions(path, options, ['period', 'optimistic']);
      if (o.period === undefined) throw new TypeError(`${path}.period is required`);
      this.period = checkDuration(path, 'period', o.period);
      this.optimistic = o.optimistic === undefined ? false : checkBoolean(path, 'optimistic', o.optimistic);
    } else {
      this.period = checkDuration(path, undefined, options);
      this.optimistic = false;
    }
  }

  push(value: number, time: number): FilterOutput[] {
    const out = this.beats(time, false);
    this.last = value;
    this.hasValue = true;
    if (this.optimistic) out.push({ value, time });
    return out;
  }

  tick(time: number): FilterOutput[] {
    return this.beats(time, true);
  }

  /** The latest beat due by `time` (at it, when `inclusive`), if any. */
  private beats(time: number, inclusive: boolean): FilterOutput[] {
    if (Number.isNaN(this.nextBeat)) {
      this.nextBeat = time + this.period;
      return [];
    }
    if (inclusive ? this.nextBeat > time : this.nextBeat >= time) return [];
    let beat = this.nextBeat + Math.floor((time - this.nextBeat) / this.period) * this.period;
    if (!inclusive && beat >= time) beat -= this.period;
    this.nextBeat = beat + this.period;
    return this.hasValue ? [{ value: this.last, time: beat }] : [];
  }
}
