import type { Filter, FilterOutput } from './filter.js';
import { checkFinite, checkOptions, isOptionsObject } from './filter-options.js';

/** One calibration point, measured -> true: `[measured, true]`, `"measured -> true"` or `{ from, to }`. */
type Datapoint = readonly [number, number] | string | { from: number; to: number };

/** A list of datapoints (least squares), or `{ datapoints, method: 'least_squares' | 'exact' }`. */
export type CalibrateLinearOptions = readonly Datapoint[] | { datapoints?: readonly Datapoint[]; method?: 'least_squares' | 'exact' };

interface Segment {
  slope: number;
  bias: number;
  /** The segment applies to values below this; Infinity for the last one. */
  below: number;
}

/**
 * `calibrate_linear` (ESPHome:
 * https://esphome.io/components/sensor/filter/calibrate_linear): maps
 * measured values to true ones from at least two datapoints.
 *
 * - `method: least_squares` (the default): one straight line
 *   true = slope * measured + bias fitted through all the points by least
 *   squares (slope = Sxy / Sxx, bias = mean(true) - slope * mean(measured));
 *   with more than two points it need not hit any of them exactly. The
 *   measured values must not all be the same.
 * - `method: exact`: straight lines joining consecutive points, so every
 *   point maps exactly; values below the first point follow the first
 *   segment and values above the last follow the last one. As in ESPHome
 *   the measured values must be in ascending order with no repeats.
 *
 * NaN: gives NaN (ESPHome computes the same); infinities map through the
 * line. The output time is the input time.
 */
export class CalibrateLinearFilter implements Filter {
  private readonly segments: Segment[];

  constructor(options: CalibrateLinearOptions, path = 'calibrate_linear') {
    let list: unknown = options;
    let listPath = path;
    let method: unknown = 'least_squares';
    if (isOptionsObject(options)) {
      const o = checkOptions(path, options, ['datapoints', 'method']);
      if (o.datapoints === undefined) throw new TypeError(`${path}.datapoints is required`);
      if (o.method !== undefined) method = o.method;
      list = o.datapoints;
      listPath = `${path}.datapoints`;
    }
    if (method !== 'least_squares' && method !== 'exact') throw new RangeError(`${path}.method must be least_squares or exact, got ${String(method)}`);
    if (!Array.isArray(list)) throw new TypeError(`${listPath} must be a list of [measured, true] datapoints`);
    const points = list as readonly unknown[];
    if (points.length < 2) throw new RangeError(`${listPath} needs at least 2 datapoints, got ${points.length}`);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < points.length; i++) {
      const [x, y] = readDatapoint(`${listPath}[${i}]`, points[i]);
      xs.push(x);
      ys.push(y);
    }
    this.segments = method === 'exact' ? exact(listPath, xs, ys) : [leastSquares(listPath, xs, ys)];
  }

  push(value: number, time: number): FilterOutput[] {
    const segs = this.segments;
    let i = 0;
    while (i < segs.length - 1 && !(value < segs[i].below)) i++;
    return [{ value: value * segs[i].slope + segs[i].bias, time }];
  }
}

function readDatapoint(path: string, p: unknown): [number, number] {
  if (Array.isArray(p)) {
    const pair = p as readonly unknown[];
    if (pair.length !== 2) throw new TypeError(`${path} must be a [measured, true] pair`);
    return [checkFinite(`${path}[0]`, undefined, pair[0]), checkFinite(`${path}[1]`, undefined, pair[1])];
  }
  if (typeof p === 'string') {
    const m = /^\s*(\S+)\s*->\s*(\S+)\s*$/.exec(p);
    const x = m ? Number(m[1]) : NaN;
    const y = m ? Number(m[2]) : NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`${path} must read "MEASURED -> TRUE", got "${p}"`);
    return [x, y];
  }
  if (isOptionsObject(p)) {
    const o = checkOptions(path, p, ['from', 'to']);
    return [checkFinite(path, 'from', o.from), checkFinite(path, 'to', o.to)];
  }
  throw new TypeError(`${path} must be a [measured, true] pair, a "MEASURED -> TRUE" string or { from, to }`);
}

function leastSquares(path: string, xs: number[], ys: number[]): Segment {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) * (xs[i] - mx);
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  if (sxx === 0) throw new RangeError(`${path}: the measured values must not all be the same`);
  const slope = sxy / sxx;
  return { slope, bias: my - slope * mx, below: Infinity };
}

function exact(path: string, xs: number[], ys: number[]): Segment[] {
  const segs: Segment[] = [];
  for (let i = 0; i + 1 < xs.length; i++) {
    if (!(xs[i] < xs[i + 1])) throw new RangeError(`${path}[${i + 1}]: with method exact the measured values must be ascending with no repeats`);
    const slope = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
    segs.push({ slope, bias: ys[i] - slope * xs[i], below: i + 2 < xs.length ? xs[i + 1] : Infinity });
  }
  return segs;
}
