import type { Filter, FilterOutput } from './filter.js';
import { checkFinite } from './filter-options.js';

/**
 * `multiply` (ESPHome: https://esphome.io/components/sensor/filter/multiply):
 * `multiply: 1.2` multiplies every value by 1.2. NaN stays NaN (as in
 * ESPHome, which just multiplies). The output time is the input time.
 */
export class MultiplyFilter implements Filter {
  private readonly factor: number;

  constructor(factor: number, path = 'multiply') {
    this.factor = checkFinite(path, undefined, factor);
  }

  push(value: number, time: number): FilterOutput[] {
    return [{ value: value * this.factor, time }];
  }
}
