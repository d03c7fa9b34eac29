import type { Filter, FilterOutput } from './filter.js';
import { checkInteger, checkOptions } from './filter-options.js';
import { MAX_COUNT, readSendEvery, type SendEvery } from './send-every.js';

export interface SlidingWindowMovingAverageOptions {
  /** Values averaged: the last window_size received. Default 15. */
  window_size?: number;
  /** A result goes out every send_every values. Default 15. */
  send_every?: number;
  /** The first result goes out on this value (1..send_every). Default 1. */
  send_first_at?: number;
}

/**
 * `sliding_window_moving_average` (ESPHome:
 * https://esphome.io/components/sensor/filter/sliding_window_moving_average):
 * the mean of the last window_size values, sent on the send_first_at-th
 * value and then every send_every values (see send-every.ts); before the
 * window fills, the mean of the values so far. Defaults as ESPHome's:
 * window_size 15, send_every 15, send_first_at 1.
 *
 * NaN: as in ESPHome, a NaN takes a place in the window and counts toward
 * send_every, but is left out of the mean; a window of only NaN gives NaN.
 * The output time is the time of the value that triggered it.
 */
export class SlidingWindowMovingAverageFilter implements Filter {
  private readonly size: number;
  private readonly send: SendEvery;
  private readonly window: number[] = [];

  constructor(options: SlidingWindowMovingAverageOptions = {}, path = 'sliding_window_moving_average') {
    const o = checkOptions(path, options, ['window_size', 'send_every', 'send_first_at']);
    this.size = o.window_size === undefined ? 15 : checkInteger(path, 'window_size', o.window_size, 1, MAX_COUNT);
    this.send = readSendEvery(path, o, 15);
  }

  push(value: number, time: number): FilterOutput[] {
    this.window.push(value);
    if (this.window.length > this.size) this.window.shift();
    if (!this.send.step()) return [];
    let sum = 0;
    let n = 0;
    for (const v of this.window) {
      if (Number.isNaN(v)) continue;
      sum += v;
      n++;
    }
    return [{ value: n > 0 ? sum / n : NaN, time }];
  }
}
