import type { Filter, FilterOutput } from './filter.js';
import { checkFinite } from './filter-options.js';

/**
 * `offset` (ESPHome: https://esphome.io/components/sensor/filter/offset):
 * `offset: 2.5` adds 2.5 to every value. NaN stays NaN (as in ESPHome,
 * which just adds). The output time is the input time.
 */
export class OffsetFilter implements Filter {
  private readonly offset: number;

  constructor(offset: number, path = 'offset') {
    this.offset = checkFinite(path, undefined, offset);
  }

  push(value: number, time: number): FilterOutput[] {
    return [{ value: value + this.offset, time }];
  }
}
