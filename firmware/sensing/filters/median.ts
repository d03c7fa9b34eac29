import type { Filter, FilterOutput } from './filter.js';
import { checkInteger, checkOptions } from './filter-options.js';
import { MAX_COUNT, readSendEvery, type SendEvery } from './send-every.js';

export interface MedianOptions {
  /** Values considered: the last window_size received. Default 5. */
  window_size?: number;
  /** A result goes out every send_every values. Default 5. */
  send_every?: number;
  /** The first result goes out on this value (1..send_every). Default 1. */
  send_first_at?: number;
}

/**
 * `median` (ESPHome: https://esphome.io/components/sensor/filter/median):
 * the median of the last window_size values, sent on the send_first_at-th
 * value and then every send_every values (see send-every.ts). With an even
 * number of values it is the mean of the two middle ones (so use an odd
 * window_size to always send a value actually received). Defaults as
 * ESPHome's: window_size 5, send_every 5, send_first_at 1.
 *
 * NaN: as in ESPHome, a NaN takes a place in the window and counts toward
 * send_every but is left out of the median; a window of only NaN gives NaN.
 * The output time is the time of the value that triggered it.
 */
export class MedianFilter implements Filter {
  private readonly size: number;
  private readonly send: SendEvery;
  private readonly window: number[] = [];

  constructor(options: MedianOptions = {}, path = 'median') {
    const o = checkOptions(path, options, ['window_size', 'send_every', 'send_first_at']);
    this.size = o.window_size === undefined ? 5 : checkInteger(path, 'window_size', o.window_size, 1, MAX_COUNT);
    this.send = readSendEvery(path, o, 5);
  }

  push(value: number, time: number): FilterOutput[] {
    this.window.push(value);
    if (this.window.length > this.size) this.window.shift();
    if (!this.send.step()) return [];
    const sorted = this.window.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const n = sorted.length;
    if (n === 0) return [{ value: NaN, time }];
    const mid = n >> 1;
    return [{ value: n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, time }];
  }
}
