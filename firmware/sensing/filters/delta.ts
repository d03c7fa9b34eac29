import type { Filter, FilterOutput } from './filter.js';
import { checkAmount, checkOptions, isOptionsObject } from './filter-options.js';

/** A change threshold: a number (absolute) or a percentage string such as "10%" (of the last value passed). */
type DeltaAmount = number | string;

/** `delta: 2.0`, `delta: "10%"`, or the long form with min_value and/or max_value. */
export type DeltaOptions = DeltaAmount | { min_value?: DeltaAmount; max_value?: DeltaAmount };

interface Threshold {
  amount: number;
  percent: boolean;
}

/**
 * `delta` (ESPHome: https://esphome.io/components/sensor/filter/delta):
 * passes a value only if it differs enough from the last value passed.
 * The first value always passes. After that a value passes when
 * |value - last| > min_value and |value - last| <= max_value, and becomes
 * the new `last`; values that do not pass are dropped and do not move `last`.
 * min_value defaults to 0 (so a repeat of the same value is dropped: the
 * filter removes duplicates), max_value to Infinity (a max_value drops
 * spikes). `delta: 2.0` is min_value 2.0.
 *
 * Percentage form: `delta: "10%"` (or min_value/max_value as "N%") makes
 * the threshold that percentage of the last value passed: with "20%" and a
 * last value of 10, only values above 12 or below 8 pass; after 100, only
 * values above 120 or below 80.
 *
 * NaN: as in current ESPHome, a NaN is never far enough from a number, so
 * it is dropped once a number has passed; while the last value passed is
 * NaN (a NaN was the first value) everything passes, as a first value does.
 */
export class DeltaFilter implements Filter {
  private readonly min: Threshold;
  private readonly max: Threshold;
  private last = NaN;

  constructor(options: DeltaOptions, path = 'delta') {
    if (isOptionsObject(options)) {
      const o = checkOptions(path, options, ['min_value', 'max_value']);
      if (o.min_value === undefined && o.max_value === undefined)
        throw new RangeError(`${path} needs min_value or max_value (or a single number or percentage)`);
      this.min = o.min_value === undefined ? { amount: 0, percent: false } : checkAmount(path, 'min_value', o.min_value);
      this.max = o.max_value === undefined ? { amount: Infinity, percent: false } : checkAmount(path, 'max_value', o.max_value);
      if (this.min.percent === this.max.percent && this.min.amount >= this.max.amount) {
        throw new RangeError(`${path}.max_value must be greater than min_value, or no value could pass`);
      }
    } else {
      this.min = checkAmount(path, undefined, options);
      this.max = { amount: Infinity, percent: false };
    }
  }

  push(value: number, time: number): FilterOutput[] {
    if (!Number.isNaN(this.last)) {
      const diff = Math.abs(value - this.last);
      if (!(diff > threshold(this.min, this.last) && diff <= threshold(this.max, this.last))) return [];
    }
    this.last = value;
    return [{ value, time }];
  }
}

function threshold(t: Threshold, last: number): number {
  return t.percent ? Math.abs(t.amount * last) : t.amount;
}
