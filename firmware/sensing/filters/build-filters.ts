import { CalibrateLinearFilter, type CalibrateLinearOptions } from './calibrate-linear.js';
import { ClampFilter, type ClampOptions } from './clamp.js';
import { DeltaFilter, type DeltaOptions } from './delta.js';
import { ExponentialMovingAverageFilter, type ExponentialMovingAverageOptions } from './exponential-moving-average.js';
import type { Filter } from './filter.js';
import { FilterChain } from './filter-chain.js';
import { HeartbeatFilter, type HeartbeatOptions } from './heartbeat.js';
import { MedianFilter, type MedianOptions } from './median.js';
import { MultiplyFilter } from './multiply.js';
import { OffsetFilter } from './offset.js';
import { RoundFilter, type RoundOptions } from './round.js';
import { SlidingWindowMovingAverageFilter, type SlidingWindowMovingAverageOptions } from './sliding-window-moving-average.js';
import { ThrottleFilter } from './throttle.js';
import { TimeoutFilter, type TimeoutOptions } from './timeout.js';

/**
 * Each filter's constructor checks its own options at run time (TypeError
 * for a wrong type, RangeError for a bad value, naming filter and option),
 * so configuration read from JSON can be handed over as it is.
 */
const FACTORIES: Record<string, (options: unknown, path: string) => Filter> = {
  sliding_window_moving_average: (o, p) => new SlidingWindowMovingAverageFilter(o as SlidingWindowMovingAverageOptions, p),
  exponential_moving_average: (o, p) => new ExponentialMovingAverageFilter(o as ExponentialMovingAverageOptions, p),
  median: (o, p) => new MedianFilter(o as MedianOptions, p),
  delta: (o, p) => new DeltaFilter(o as DeltaOptions, p),
  throttle: (o, p) => new ThrottleFilter(o as number | string, p),
  heartbeat: (o, p) => new HeartbeatFilter(o as HeartbeatOptions, p),
  timeout: (o, p) => new TimeoutFilter(o as TimeoutOptions, p),
  calibrate_linear: (o, p) => new CalibrateLinearFilter(o as CalibrateLinearOptions, p),
  clamp: (o, p) => new ClampFilter(o as ClampOptions, p),
  round: (o, p) => new RoundFilter(o as RoundOptions, p),
  offset: (o, p) => new OffsetFilter(o as number, p),
  multiply: (o, p) => new MultiplyFilter(o as number, p),
};

/** The filter names buildFilters accepts (ESPHome's names). */
export const FILTER_NAMES: readonly string[] = Object.keys(FACTORIES);

/**
 * Builds a chain from an ESPHome-style filter list, each entry an object
 * with one key, the filter's name, whose value is its options:
 *
 *   [{ "sliding_window_moving_average": { "window_size": 5, "send_every": 5 } },
 *    { "offset": 2.5 },
 *    { "clamp": { "min_value": 0, "max_value": 100 } }]
 *
 * Refuses an unknown filter name or option (RangeError) and options of the
 * wrong type (TypeError) or out of range (RangeError); messages name the
 * entry, the filter and the option, e.g. "filters[2].clamp.min_value ...".
 * Time periods are a number of ms or an ESPHome string such as "10s".
 */
export function buildFilters(config: unknown): FilterChain {
  if (!Array.isArray(config)) throw new TypeError('filters must be a list of { name: options } entries');
  const entries = config as readonly unknown[];
  const filters: Filter[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const at = `filters[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new TypeError(`${at} must be an object with one key, the filter name`);
    const keys = Object.keys(entry);
    if (keys.length !== 1) throw new TypeError(`${at} must have exactly one key, the filter name, got ${keys.length}`);
    const name = keys[0];
    // biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn is ES2022; the core compiles against ES2020 (XS 13.3).
    if (!Object.prototype.hasOwnProperty.call(FACTORIES, name)) throw new RangeError(`${at}: unknown filter '${name}' (filters: ${FILTER_NAMES.join(', ')})`);
    filters.push(FACTORIES[name]((entry as Record<string, unknown>)[name], `${at}.${name}`));
  }
  return new FilterChain(filters);
}
