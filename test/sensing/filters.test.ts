import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildFilters, FILTER_NAMES } from '../../firmware/sensing/filters/build-filters.js';
import { CalibrateLinearFilter } from '../../firmware/sensing/filters/calibrate-linear.js';
import { ClampFilter } from '../../firmware/sensing/filters/clamp.js';
import { DeltaFilter } from '../../firmware/sensing/filters/delta.js';
import { ExponentialMovingAverageFilter } from '../../firmware/sensing/filters/exponential-moving-average.js';
import type { Filter, FilterOutput } from '../../firmware/sensing/filters/filter.js';
import { FilterChain } from '../../firmware/sensing/filters/filter-chain.js';
import { HeartbeatFilter } from '../../firmware/sensing/filters/heartbeat.js';
import { MedianFilter } from '../../firmware/sensing/filters/median.js';
import { MultiplyFilter } from '../../firmware/sensing/filters/multiply.js';
import { OffsetFilter } from '../../firmware/sensing/filters/offset.js';
import { RoundFilter } from '../../firmware/sensing/filters/round.js';
import { SlidingWindowMovingAverageFilter } from '../../firmware/sensing/filters/sliding-window-moving-average.js';
import { ThrottleFilter } from '../../firmware/sensing/filters/throttle.js';
import { TimeoutFilter } from '../../firmware/sensing/filters/timeout.js';

/** Pushes values at times 1, 2, 3, … (or the given times) and collects every output. */
function feed(f: Filter, values: readonly number[], times?: readonly number[]): FilterOutput[] {
  const out: FilterOutput[] = [];
  values.forEach((v, i) => {
    for (const o of f.push(v, times ? times[i] : i + 1)) out.push(o);
  });
  return out;
}

function values(outs: readonly FilterOutput[]): number[] {
  return outs.map((o) => o.value);
}

function tick(f: Filter, time: number): FilterOutput[] {
  assert.ok(f.tick, 'filter has tick');
  return f.tick(time);
}

describe('sliding_window_moving_average', () => {
  it('defaults to window_size 15, send_every 15, send_first_at 1: sends on values 1 and 16', () => {
    const f = new SlidingWindowMovingAverageFilter();
    const input = Array.from({ length: 16 }, (_, i) => i + 1);
    assert.deepEqual(feed(f, input), [
      { value: 1, time: 1 },
      { value: 9, time: 16 },
    ]);
  });

  it('averages the last window_size values every send_every values, stamped with the triggering time', () => {
    const f = new SlidingWindowMovingAverageFilter({ window_size: 3, send_every: 2 });
    assert.deepEqual(feed(f, [1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), [
      { value: 1, time: 10 },
      { value: 2, time: 30 },
      { value: 4, time: 50 },
    ]);
  });

  it('send_first_at delays the first output to that value, then every send_every after it', () => {
    const f = new SlidingWindowMovingAverageFilter({ window_size: 2, send_every: 4, send_first_at: 3 });
    assert.deepEqual(values(feed(f, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), [2.5, 6.5, 10.5]);
  });

  it('NaN takes a window place but is left out of the mean; an all-NaN window gives NaN', () => {
    const f = new SlidingWindowMovingAverageFilter({ window_size: 2, send_every: 1 });
    assert.deepEqual(values(feed(f, [1, NaN, 4, NaN, NaN])), [1, 1, 4, 4, NaN]);
  });
});

describe('exponential_moving_average', () => {
  it('starts at the first value, then alpha * value + (1 - alpha) * average', () => {
    const f = new ExponentialMovingAverageFilter({ alpha: 0.5, send_every: 1 });
    assert.deepEqual(feed(f, [4, 8, 0], [100, 200, 300]), [
      { value: 4, time: 100 },
      { value: 6, time: 200 },
      { value: 3, time: 300 },
    ]);
  });

  it('defaults to alpha 0.1, send_every 15, send_first_at 1', () => {
    const f = new ExponentialMovingAverageFilter();
    const input = [10].concat(Array.from({ length: 15 }, () => 0));
    const out = feed(f, input);
    assert.deepEqual(
      out.map((o) => o.time),
      [1, 16],
    );
    assert.equal(out[0].value, 10);
    let expected = 10;
    for (let i = 0; i < 15; i++) expected = 0.1 * 0 + (1 - 0.1) * expected;
    assert.equal(out[1].value, expected);
  });

  it('send_first_at and send_every count inputs, the average still takes every value', () => {
    const f = new ExponentialMovingAverageFilter({ alpha: 0.5, send_every: 3, send_first_at: 2 });
    assert.deepEqual(values(feed(f, [8, 0, 8, 0, 8])), [4, 5.5]);
  });

  it('NaN leaves the average alone; a NaN that sends is sent as NaN', () => {
    const f = new ExponentialMovingAverageFilter({ alpha: 0.5, send_every: 1 });
    assert.deepEqual(values(feed(f, [4, NaN, 8])), [4, NaN, 6]);
  });
});

describe('median', () => {
  it('defaults to window_size 5, send_every 5, send_first_at 1', () => {
    const f = new MedianFilter();
    assert.deepEqual(feed(f, [5, 1, 4, 2, 3, 100]), [
      { value: 5, time: 1 },
      { value: 3, time: 6 },
    ]);
  });

  it('an even count gives the mean of the two middle values', () => {
    const f = new MedianFilter({ window_size: 4, send_every: 4, send_first_at: 4 });
    assert.deepEqual(values(feed(f, [20, 1, 10, 2])), [6]);
  });

  it('removes a spike that a mean would smear', () => {
    const f = new MedianFilter({ window_size: 3, send_every: 1 });
    assert.deepEqual(values(feed(f, [20, 20, 900, 21, 22])), [20, 20, 20, 21, 22]);
  });

  it('NaN takes a window place but is left out of the median; an all-NaN window gives NaN', () => {
    const f = new MedianFilter({ window_size: 2, send_every: 1 });
    assert.deepEqual(values(feed(f, [1, NaN, 3, NaN, NaN])), [1, 1, 3, 3, NaN]);
  });
});

describe('delta', () => {
  it('passes the first value, then only values more than the delta from the last passed', () => {
    const f = new DeltaFilter(2);
    assert.deepEqual(feed(f, [10, 11, 12, 12.5, 7.9, 8]), [
      { value: 10, time: 1 },
      { value: 12.5, time: 4 },
      { value: 7.9, time: 5 },
    ]);
  });

  it('a percentage is of the last value passed ("20%": 2 after 10, 20 after 100)', () => {
    const f = new DeltaFilter('20%');
    assert.deepEqual(values(feed(f, [10, 11.9, 8.1, 12.5, 100, 115, 85, 121])), [10, 12.5, 100, 121]);
  });

  it('delta 0 drops repeats of the same value', () => {
    assert.deepEqual(values(feed(new DeltaFilter(0), [5, 5, 6, 6, 5])), [5, 6, 5]);
  });

  it('max_value drops jumps larger than it (min_value defaults to 0)', () => {
    const f = new DeltaFilter({ max_value: 10 });
    assert.deepEqual(values(feed(f, [20, 25, 50, 26, 26, 36, 46.5])), [20, 25, 26, 36]);
  });

  it('min_value and max_value may each be a percentage', () => {
    const f = new DeltaFilter({ min_value: '10%', max_value: '50%' });
    assert.deepEqual(values(feed(f, [100, 105, 111, 200, 150])), [100, 111, 150]);
  });

  it('NaN is dropped once a number has passed; a NaN first value passes and so does the next', () => {
    assert.deepEqual(values(feed(new DeltaFilter(1), [5, NaN, 7])), [5, 7]);
    assert.deepEqual(values(feed(new DeltaFilter(1), [NaN, 3, 3.5])), [NaN, 3]);
  });
});

describe('throttle', () => {
  it('passes the first value, then only values at least the period after the last passed', () => {
    const f = new ThrottleFilter('1s');
    assert.deepEqual(feed(f, [1, 2, 3, 4, 5, 6], [0, 500, 999, 1000, 1500, 2100]), [
      { value: 1, time: 0 },
      { value: 4, time: 1000 },
      { value: 6, time: 2100 },
    ]);
  });

  it('takes a number of ms or ESPHome time strings', () => {
    for (const period of [500, '500ms', '0.5s', '0.5 s']) {
      assert.deepEqual(values(feed(new ThrottleFilter(period), [1, 2, 3], [0, 499, 500])), [1, 3], String(period));
    }
    assert.deepEqual(values(feed(new ThrottleFilter('1.5min'), [1, 2, 3], [0, 89999, 90000])), [1, 3]);
  });

  it('NaN is throttled like any value', () => {
    assert.deepEqual(values(feed(new ThrottleFilter(100), [NaN, 1, 2], [0, 50, 100])), [NaN, 2]);
  });
});

describe('heartbeat', () => {
  it('holds values back and sends the last one every period, stamped with the beat time', () => {
    const f = new HeartbeatFilter('1s');
    assert.deepEqual(f.push(5, 0), []);
    assert.deepEqual(tick(f, 999), []);
    assert.deepEqual(tick(f, 1000), [{ value: 5, time: 1000 }]);
    assert.deepEqual(tick(f, 1000), []);
    assert.deepEqual(f.push(6, 1200), []);
    assert.deepEqual(f.push(7, 1500), []);
    assert.deepEqual(tick(f, 2300), [{ value: 7, time: 2000 }]);
  });

  it('repeats the last value without new input; a late tick sends only the latest beat', () => {
    const f = new HeartbeatFilter(1000);
    f.push(5, 0);
    assert.deepEqual(tick(f, 1000), [{ value: 5, time: 1000 }]);
    assert.deepEqual(tick(f, 2000), [{ value: 5, time: 2000 }]);
    assert.deepEqual(tick(f, 5500), [{ value: 5, time: 5000 }]);
    assert.deepEqual(tick(f, 6000), [{ value: 5, time: 6000 }]);
  });

  it('optimistic: true also sends every value at once, without moving the beat', () => {
    const f = new HeartbeatFilter({ period: '1s', optimistic: true });
    assert.deepEqual(f.push(5, 0), [{ value: 5, time: 0 }]);
    assert.deepEqual(f.push(6, 300), [{ value: 6, time: 300 }]);
    assert.deepEqual(tick(f, 1000), [{ value: 6, time: 1000 }]);
  });

  it('sends nothing before the first value; the beat is anchored at the first tick', () => {
    const f = new HeartbeatFilter('1s');
    assert.deepEqual(tick(f, 0), []);
    assert.deepEqual(tick(f, 1000), []);
    assert.deepEqual(f.push(7, 1200), []);
    assert.deepEqual(tick(f, 2000), [{ value: 7, time: 2000 }]);
  });

  it('a push first sends a beat that fell due strictly before it; at the same time the new value wins', () => {
    const f = new HeartbeatFilter('1s');
    f.push(1, 0);
    assert.deepEqual(f.push(2, 2500), [{ value: 1, time: 2000 }]);
    assert.deepEqual(f.push(3, 3000), []);
    assert.deepEqual(tick(f, 3000), [{ value: 3, time: 3000 }]);
  });

  it('NaN is repeated like any value', () => {
    const f = new HeartbeatFilter(10);
    f.push(NaN, 0);
    assert.deepEqual(tick(f, 10), [{ value: NaN, time: 10 }]);
  });
});

describe('timeout', () => {
  it('passes values on; after the period without input sends NaN once, stamped when it fell due', () => {
    const f = new TimeoutFilter('10s');
    assert.deepEqual(f.push(1, 0), [{ value: 1, time: 0 }]);
    assert.deepEqual(tick(f, 9999), []);
    assert.deepEqual(tick(f, 12000), [{ value: NaN, time: 10000 }]);
    assert.deepEqual(tick(f, 30000), []);
    assert.deepEqual(f.push(2, 40000), [{ value: 2, time: 40000 }]);
    assert.deepEqual(tick(f, 50000), [{ value: NaN, time: 50000 }]);
  });

  it('each value re-arms it', () => {
    const f = new TimeoutFilter(1000);
    f.push(1, 0);
    f.push(2, 900);
    assert.deepEqual(tick(f, 1800), []);
    assert.deepEqual(tick(f, 1900), [{ value: NaN, time: 1900 }]);
  });

  it('sends nothing before the first value', () => {
    assert.deepEqual(tick(new TimeoutFilter('1s'), 100000), []);
  });

  it('value: a number is sent instead of NaN', () => {
    const f = new TimeoutFilter({ timeout: '1s', value: 0 });
    f.push(21.5, 0);
    assert.deepEqual(tick(f, 1000), [{ value: 0, time: 1000 }]);
  });

  it('value: "last" repeats the last value received', () => {
    const f = new TimeoutFilter({ timeout: '1s', value: 'last' });
    f.push(21.5, 0);
    f.push(22, 500);
    assert.deepEqual(tick(f, 1500), [{ value: 22, time: 1500 }]);
  });

  it('a push after an untaken deadline sends the timeout value first; a push exactly at the deadline is in time', () => {
    const f = new TimeoutFilter('10s');
    f.push(1, 0);
    assert.deepEqual(f.push(2, 15000), [
      { value: NaN, time: 10000 },
      { value: 2, time: 15000 },
    ]);
    assert.deepEqual(f.push(3, 25000), [{ value: 3, time: 25000 }]);
  });

  it('NaN input passes and re-arms like any value', () => {
    const f = new TimeoutFilter({ timeout: 100, value: 'last' });
    assert.deepEqual(f.push(NaN, 0), [{ value: NaN, time: 0 }]);
    assert.deepEqual(tick(f, 100), [{ value: NaN, time: 100 }]);
  });
});

describe('calibrate_linear', () => {
  it('least squares (the default) fits one line through all datapoints: here true = 2 * measured + 2', () => {
    const f = new CalibrateLinearFilter([
      [0, 2.5],
      [1, 2.5],
      [2, 7.5],
      [3, 7.5],
    ]);
    assert.deepEqual(feed(f, [10, 0.5, 0, -1], [1, 2, 3, 4]), [
      { value: 22, time: 1 },
      { value: 3, time: 2 },
      { value: 2, time: 3 },
      { value: 0, time: 4 },
    ]);
  });

  it('takes ESPHome\'s "MEASURED -> TRUE" strings and { from, to } datapoints', () => {
    const f = new CalibrateLinearFilter({ method: 'least_squares', datapoints: ['0.0 -> 1.0', { from: 10, to: 21 }] });
    assert.deepEqual(values(feed(f, [0, 5, 10, 20])), [1, 11, 21, 41]);
  });

  it('method exact joins the points, extrapolating the first and last segments', () => {
    const f = new CalibrateLinearFilter({
      method: 'exact',
      datapoints: [
        [0, 0],
        [10, 20],
        [20, 25],
      ],
    });
    assert.deepEqual(values(feed(f, [-5, 0, 5, 10, 15, 20, 30])), [-10, 0, 10, 20, 22.5, 25, 30]);
  });

  it('NaN gives NaN', () => {
    assert.deepEqual(values(feed(new CalibrateLinearFilter({ method: 'exact', datapoints: ['0->0', '1->2', '2->3'] }), [NaN])), [NaN]);
  });
});

describe('clamp', () => {
  it('limits values to [min_value, max_value]; NaN goes to min_value, infinities to the bounds', () => {
    const f = new ClampFilter({ min_value: 0, max_value: 100 });
    assert.deepEqual(values(feed(f, [-5, 0, 50, 100, 150, NaN, Infinity, -Infinity])), [0, 0, 50, 100, 100, 0, 100, 0]);
  });

  it('an unset bound is unbounded; with only max_value NaN goes to max_value', () => {
    const f = new ClampFilter({ max_value: 10 });
    assert.deepEqual(values(feed(f, [-1000, 20, NaN, Infinity, -Infinity])), [-1000, 10, 10, 10, -Infinity]);
  });

  it('ignore_out_of_range drops values outside the range (and NaN) instead', () => {
    const f = new ClampFilter({ min_value: 0, max_value: 100, ignore_out_of_range: true });
    assert.deepEqual(feed(f, [-5, 0, 50, 100, 150, NaN]), [
      { value: 0, time: 2 },
      { value: 50, time: 3 },
      { value: 100, time: 4 },
    ]);
  });
});

describe('round, offset, multiply', () => {
  it('round: accuracy_decimals places, halves away from zero as C roundf', () => {
    assert.deepEqual(values(feed(new RoundFilter(0), [2.5, -2.5, 2.4, -0.4])), [3, -3, 2, -0]);
    assert.deepEqual(values(feed(new RoundFilter({ accuracy_decimals: 2 }), [1.23456, -9.87654, 7])), [1.23, -9.88, 7]);
  });

  it('round: NaN and infinities pass unchanged', () => {
    assert.deepEqual(values(feed(new RoundFilter(1), [NaN, Infinity, -Infinity])), [NaN, Infinity, -Infinity]);
  });

  it('offset adds, multiply multiplies; NaN stays NaN', () => {
    assert.deepEqual(feed(new OffsetFilter(2.5), [1, NaN], [7, 8]), [
      { value: 3.5, time: 7 },
      { value: NaN, time: 8 },
    ]);
    assert.deepEqual(values(feed(new MultiplyFilter(1.5), [2, -4, NaN])), [3, -6, NaN]);
  });
});

describe('chains (buildFilters)', () => {
  it("knows ESPHome's names for the filters implemented", () => {
    assert.deepEqual([...FILTER_NAMES].sort(), [
      'calibrate_linear',
      'clamp',
      'delta',
      'exponential_moving_average',
      'heartbeat',
      'median',
      'multiply',
      'offset',
      'round',
      'sliding_window_moving_average',
      'throttle',
      'timeout',
    ]);
  });

  it('applies filters in order: moving average, then offset, then clamp', () => {
    const chain = buildFilters([
      { sliding_window_moving_average: { window_size: 5, send_every: 5 } },
      { offset: 2.5 },
      { clamp: { min_value: 0, max_value: 100 } },
    ]);
    assert.deepEqual(feed(chain, [10, 20, 30, 40, 50, 200, 200, 200, 200, 200, 200]), [
      { value: 12.5, time: 1 },
      { value: 70.5, time: 6 },
      { value: 100, time: 11 },
    ]);
  });

  it('an empty list passes values through', () => {
    assert.deepEqual(feed(buildFilters([]), [1, NaN]), [
      { value: 1, time: 1 },
      { value: NaN, time: 2 },
    ]);
  });

  it('tick outputs run through the filters after the ticking one', () => {
    const chain = buildFilters([{ heartbeat: '1s' }, { multiply: 2 }, { round: 0 }]);
    assert.deepEqual(chain.push(3.3, 0), []);
    assert.deepEqual(chain.tick(1000), [{ value: 7, time: 1000 }]);
  });

  it("timeout ahead of throttle lets the last value through the throttle (ESPHome's suggested use)", () => {
    const chain = buildFilters([{ timeout: { timeout: '1s', value: 'last' } }, { throttle: '1s' }]);
    assert.deepEqual(chain.push(1, 0), [{ value: 1, time: 0 }]);
    assert.deepEqual(chain.push(2, 500), []);
    assert.deepEqual(chain.tick(1500), [{ value: 2, time: 1500 }]);
  });

  it('calibrate, median, delta, round: a noisy sensor reported only on real change', () => {
    const chain = buildFilters([{ calibrate_linear: ['0 -> 0', '100 -> 50'] }, { median: { window_size: 3, send_every: 1 } }, { delta: 1 }, { round: 1 }]);
    assert.deepEqual(values(feed(chain, [40, 40.4, 900, 40.8, 41, 44, 44.2])), [20, 22]);
  });

  it('a chain of chains is a chain', () => {
    const inner = new FilterChain([new OffsetFilter(1)]);
    const outer = new FilterChain([inner, new MultiplyFilter(10), new HeartbeatFilter(100)]);
    assert.deepEqual(outer.push(1, 0), []);
    assert.deepEqual(outer.tick(100), [{ value: 20, time: 100 }]);
  });
});

describe('refusing bad configuration', () => {
  const refuses = (config: unknown, type: typeof TypeError | typeof RangeError, message: RegExp) =>
    assert.throws(
      () => buildFilters(config),
      (e: unknown) => {
        assert.ok(e instanceof type, `${String(e)} is not a ${type.name}`);
        assert.match((e as Error).message, message);
        return true;
      },
    );

  it('the list and its entries', () => {
    refuses({ offset: 1 }, TypeError, /^filters must be a list/);
    refuses([5], TypeError, /filters\[0\] must be an object with one key/);
    refuses([{ offset: 1, multiply: 2 }], TypeError, /filters\[0\] must have exactly one key/);
    refuses([{}], TypeError, /filters\[0\] must have exactly one key/);
  });

  it('an unknown filter name', () => {
    refuses([{ offset: 1 }, { smooth: 3 }], RangeError, /filters\[1\]: unknown filter 'smooth'/);
    refuses([{ toString: 3 }], RangeError, /unknown filter 'toString'/);
  });

  it('an unknown option', () => {
    refuses([{ median: { window: 5 } }], RangeError, /filters\[0\]\.median has no option 'window'/);
    refuses([{ clamp: { min: 0 } }], RangeError, /filters\[0\]\.clamp has no option 'min'/);
  });

  it('window_size, send_every and send_first_at', () => {
    refuses([{ median: { window_size: 0 } }], RangeError, /filters\[0\]\.median\.window_size must be from 1/);
    refuses([{ median: { window_size: '5' } }], TypeError, /median\.window_size must be an integer/);
    refuses([{ sliding_window_moving_average: { window_size: 2.5 } }], TypeError, /sliding_window_moving_average\.window_size must be an integer/);
    refuses([{ sliding_window_moving_average: { send_every: 0 } }], RangeError, /sliding_window_moving_average\.send_every must be from 1/);
    refuses([{ median: { send_every: 4, send_first_at: 5 } }], RangeError, /median\.send_first_at must be at most send_every \(4\)/);
    refuses([{ exponential_moving_average: { send_first_at: 16 } }], RangeError, /exponential_moving_average\.send_first_at must be at most send_every \(15\)/);
    refuses([{ median: 5 }], TypeError, /filters\[0\]\.median must be an options object/);
  });

  it('alpha', () => {
    refuses([{ exponential_moving_average: { alpha: 0 } }], RangeError, /exponential_moving_average\.alpha must be greater than 0 and at most 1/);
    refuses([{ exponential_moving_average: { alpha: 1.5 } }], RangeError, /\.alpha must be greater than 0/);
    refuses([{ exponential_moving_average: { alpha: '0.1' } }], TypeError, /\.alpha must be a number/);
  });

  it('delta', () => {
    refuses([{ delta: 'lots' }], RangeError, /filters\[0\]\.delta must be a number or a percentage/);
    refuses([{ delta: -1 }], RangeError, /delta must be a finite number >= 0/);
    refuses([{ delta: true }], TypeError, /delta must be a number or a percentage string/);
    refuses([{ delta: {} }], RangeError, /delta needs min_value or max_value/);
    refuses([{ delta: { min_value: 5, max_value: 2 } }], RangeError, /delta\.max_value must be greater than min_value/);
    refuses([{ delta: { max_value: '-5%' } }], RangeError, /delta\.max_value must be a number or a percentage/);
  });

  it('time periods', () => {
    refuses([{ throttle: '10' }], RangeError, /filters\[0\]\.throttle must be a time period such as/);
    refuses([{ throttle: '10 sec' }], RangeError, /throttle must be a time period such as/);
    refuses([{ throttle: 0 }], RangeError, /throttle must be a time period greater than 0/);
    refuses([{ throttle: true }], TypeError, /throttle must be a time period/);
    refuses([{ heartbeat: {} }], TypeError, /heartbeat\.period is required/);
    refuses([{ heartbeat: { period: '1s', optimistic: 'yes' } }], TypeError, /heartbeat\.optimistic must be true or false/);
    refuses([{ timeout: { value: 0 } }], TypeError, /timeout\.timeout is required/);
    refuses([{ timeout: { timeout: -5 } }], RangeError, /timeout\.timeout must be a time period greater than 0/);
    refuses([{ timeout: { timeout: '1s', value: 'nothing' } }], RangeError, /timeout\.value must be a number or "last"/);
  });

  it('calibrate_linear', () => {
    refuses([{ calibrate_linear: [[0, 1]] }], RangeError, /calibrate_linear needs at least 2 datapoints/);
    refuses(
      [{ calibrate_linear: { datapoints: ['1 -> 2', '1 -> 3'] } }],
      RangeError,
      /calibrate_linear\.datapoints: the measured values must not all be the same/,
    );
    refuses(
      [
        {
          calibrate_linear: {
            method: 'exact',
            datapoints: [
              [2, 1],
              [1, 2],
            ],
          },
        },
      ],
      RangeError,
      /calibrate_linear\.datapoints\[1\]: with method exact the measured values must be ascending/,
    );
    refuses(
      [
        {
          calibrate_linear: {
            method: 'exact',
            datapoints: [
              [1, 1],
              [1, 2],
            ],
          },
        },
      ],
      RangeError,
      /ascending with no repeats/,
    );
    refuses(
      [
        {
          calibrate_linear: {
            method: 'cubic',
            datapoints: [
              [0, 0],
              [1, 1],
            ],
          },
        },
      ],
      RangeError,
      /calibrate_linear\.method must be least_squares or exact/,
    );
    refuses([{ calibrate_linear: ['1 => 2', '2 -> 3'] }], RangeError, /calibrate_linear\[0\] must read "MEASURED -> TRUE"/);
    refuses(
      [
        {
          calibrate_linear: [
            [0, 'a'],
            [1, 1],
          ],
        },
      ],
      TypeError,
      /calibrate_linear\[0\]\[1\] must be a number/,
    );
    refuses(
      [
        {
          calibrate_linear: [
            [0, 1, 2],
            [1, 1],
          ],
        },
      ],
      TypeError,
      /calibrate_linear\[0\] must be a \[measured, true\] pair/,
    );
    refuses([{ calibrate_linear: {} }], TypeError, /calibrate_linear\.datapoints is required/);
    refuses([{ calibrate_linear: '0 -> 1' }], TypeError, /calibrate_linear must be a list/);
  });

  it('clamp', () => {
    refuses([{ clamp: {} }], RangeError, /filters\[0\]\.clamp needs min_value or max_value/);
    refuses([{ clamp: { min_value: 10, max_value: 0 } }], RangeError, /clamp\.min_value \(10\) must not be greater than max_value \(0\)/);
    refuses([{ clamp: { min_value: '0' } }], TypeError, /clamp\.min_value must be a number/);
    refuses([{ clamp: { max_value: NaN } }], RangeError, /clamp\.max_value must be a finite number/);
    refuses([{ clamp: { min_value: 0, ignore_out_of_range: 1 } }], TypeError, /clamp\.ignore_out_of_range must be true or false/);
  });

  it('round, offset, multiply', () => {
    refuses([{ round: -1 }], RangeError, /filters\[0\]\.round must be from 0 to 20/);
    refuses([{ round: 1.5 }], TypeError, /round must be an integer/);
    refuses([{ round: { accuracy_decimals: 21 } }], RangeError, /round\.accuracy_decimals must be from 0 to 20/);
    refuses([{ offset: '2' }], TypeError, /filters\[0\]\.offset must be a number/);
    refuses([{ offset: NaN }], RangeError, /offset must be a finite number/);
    refuses([{ multiply: Infinity }], RangeError, /multiply must be a finite number/);
  });

  it('the constructors refuse the same way when used directly', () => {
    assert.throws(() => new MedianFilter({ window_size: 0 }), { name: 'RangeError', message: /^median\.window_size must be from 1/ });
    assert.throws(() => new ThrottleFilter('fast'), { name: 'RangeError', message: /^throttle must be a time period/ });
  });
});

describe('portability of firmware/sensing/filters', () => {
  const dir = new URL('../../firmware/sensing/filters/', import.meta.url).pathname;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

  it('has one file per filter plus the interface, chain and builder', () => assert.ok(sources.length >= 15, `${sources.length} files`));
  for (const f of sources) {
    it(`${f}: relative imports only, no clock, entropy, timers or process, nothing past ES2020`, () => {
      const text = readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)) {
        assert.ok(!builtins.has(m[1]) && m[1].startsWith('./'), `imports '${m[1]}'`);
      }
      assert.doesNotMatch(text, /\bDate\.now\s*\(|\bMath\.random\s*\(|\bprocess\.|\b(setTimeout|setInterval|setImmediate)\s*\(/);
      assert.doesNotMatch(text, /\.at\(|Object\.hasOwn\b|Object\.groupBy|\.replaceAll\(|\bstatic\s|\bany\b/);
    });
  }
});
