import type { Filter, FilterOutput } from './filter.js';
import { checkBoolean, checkFinite, checkOptions } from './filter-options.js';

export interface ClampOptions {
  /** Lower bound (inclusive); none if unset. */
  min_value?: number;
  /** Upper bound (inclusive); none if unset. */
  max_value?: number;
  /** Drop values outside the range instead of clamping them. Default false. */
  ignore_out_of_range?: boolean;
}

/**
 * `clamp` (ESPHome: https://esphome.io/components/sensor/filter/clamp):
 * limits values to [min_value, max_value]: below min_value becomes
 * min_value, above max_value becomes max_value. At least one bound must be
 * set, and min_value <= max_value; an unset bound is unbounded. With
 * `ignore_out_of_range: true`, values outside the range are dropped instead.
 *
 * NaN and infinities, as ESPHome documents: NaN becomes min_value if that
 * is set, otherwise max_value (dropped with ignore_out_of_range); +/-Infinity
 * becomes the upper/lower bound when that bound is set and passes unchanged
 * when it is not. The output time is the input time.
 */
export class ClampFilter implements Filter {
  private readonly min: number;
  private readonly max: number;
  private readonly ignore: boolean;

  constructor(options: ClampOptions, path = 'clamp') {
    const o = checkOptions(path, options, ['min_value', 'max_value', 'ignore_out_of_range']);
    if (o.min_value === undefined && o.max_value === undefined) throw new RangeError(`${path} needs min_value or max_value`);
    this.min = o.min_value === undefined ? NaN : checkFinite(path, 'min_value', o.min_value);
    this.max = o.max_value === undefined ? NaN : checkFinite(path, 'max_value', o.max_value);
    if (this.min > this.max) throw new RangeError(`${path}.min_value (${this.min}) must not be greater than max_value (${this.max})`);
    this.ignore = o.ignore_out_of_range === undefined ? false : checkBoolean(path, 'ignore_out_of_range', o.ignore_out_of_range);
  }

  push(value: number, time: number): FilterOutput[] {
    let v = value;
    if (!Number.isNaN(this.min) && !(value >= this.min)) v = this.min;
    else if (!Number.isNaN(this.max) && !(value <= this.max)) v = this.max;
    if (v !== value && this.ignore) return [];
    return [{ value: v, time }];
  }
}
