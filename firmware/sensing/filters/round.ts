import type { Filter, FilterOutput } from './filter.js';
import { checkInteger, checkOptions, isOptionsObject } from './filter-options.js';

/** `round: 1`, or the long form `{ accuracy_decimals: 1 }`. */
export type RoundOptions = number | { accuracy_decimals?: number };

/**
 * `round` (ESPHome: https://esphome.io/components/sensor/filter/round):
 * rounds to accuracy_decimals decimal places (0..20), halves away from zero
 * like C's roundf (2.5 -> 3, -2.5 -> -3; JavaScript's Math.round would
 * give -2). Computed as round(value * 10^d) / 10^d in doubles, so a value
 * such as 1.005, stored just below its decimal form, rounds down.
 *
 * NaN and infinities pass unchanged, as in ESPHome. The output time is the
 * input time.
 */
export class RoundFilter implements Filter {
  private readonly scale: number;

  constructor(options: RoundOptions, path = 'round') {
    if (isOptionsObject(options)) {
      const o = checkOptions(path, options, ['accuracy_decimals']);
      if (o.accuracy_decimals === undefined) throw new TypeError(`${path}.accuracy_decimals is required`);
      this.scale = Math.pow(10, checkInteger(path, 'accuracy_decimals', o.accuracy_decimals, 0, 20));
    } else {
      this.scale = Math.pow(10, checkInteger(path, undefined, options, 0, 20));
    }
  }

  push(value: number, time: number): FilterOutput[] {
    if (!Number.isFinite(value)) return [{ value, time }];
    const r = Math.round(Math.abs(value) * this.scale) / this.scale;
    return [{ value: value < 0 ? -r : r, time }];
  }
}
