import type { Reading } from '../../firmware/event/reading.js';
import type { StateChange, SensorState } from '../../firmware/sensing/lifecycle.js';
import { type ChannelCheckOptions, ChannelChecks } from '../../firmware/sensing/quality-checks.js';
import type { ValueFilter } from '../../firmware/sensing/sensor-runner.js';
import type { Timers, TimerId } from '../../hal/contracts/time.js';
import type { SenmlUnit } from '../../hal/drivers/senml-units.js';

/** One value a device advertised: a measurement (number, with a SenML unit, or text), or a binary sensor (boolean). */
export interface HeardValue {
  name: string;
  value: number | boolean | string;
  unit?: string;
}

export interface BleSensorOptions {
  /** The component name (`ble-<mac>`): the sensor's name in state changes. */
  name: string;
  /** How often the device is expected to advertise. */
  intervalMs: number;
  /** Missed advertisements in a row before the sensor is absent (lifecycle 'unplugged', reason 'absent'). */
  absentAfter: number;
  /** Plausibility checks per reading name (firmware/sensing/quality-checks.ts). */
  checks?: Record<string, ChannelCheckOptions>;
  /** Filter chains per reading name (firmware/sensing/filters/). */
  filters?: Record<string, ValueFilter>;
  timers: Timers;
  /** The hub's clock: when an absence is noticed. */
  clock: () => number;
  onReading: (r: Reading) => void;
  onState: (c: StateChange) => void;
}

/**
 * A BLE device as a sensor like any other: the node's lifecycle (starting →
 * running; unplugged with reason 'absent' after `absentAfter` advertisement
 * intervals without one; running again, 'recovered', when it is heard),
 * each number judged by the same quality checks and passed through the same
 * filters as a node's channel. A sensor is pushed to (advertisements) rather
 * than polled, so it is not a SensorRunner, but it speaks its language.
 */
export class BleSensor {
  private current: SensorState = 'starting';
  private timer: TimerId | undefined;
  private readonly judges = new Map<string, ChannelChecks>();
  private stopped = false;

  constructor(private readonly o: BleSensorOptions) {
    if (!(Number.isInteger(o.intervalMs) && o.intervalMs > 0)) throw new RangeError(`intervalMs must be a whole number of ms > 0, got ${o.intervalMs}`);
    if (!(Number.isInteger(o.absentAfter) && o.absentAfter >= 1)) throw new RangeError(`absentAfter must be a whole number ≥ 1, got ${o.absentAfter}`);
  }

  get state(): SensorState {
    return this.current;
  }

  /** The device was heard at `time` with these values. */
  heard(values: readonly HeardValue[], time: number): void {
    if (this.stopped) return;
    this.move('running', this.current === 'starting' ? 'heard' : 'recovered', time);
    this.watch();
    for (const v of values) {
      if (typeof v.value !== 'number') {
        this.o.onReading({ name: v.name, value: v.value, quality: 'good', time });
        continue;
      }
      const unit = v.unit as SenmlUnit | undefined;
      const j = this.judge(v.name, unit).judge(v.value, time);
      const filter = this.o.filters?.[v.name];
      const base = unit === undefined ? { name: v.name } : { name: v.name, unit };
      if (j.quality !== 'good' || !filter) {
        this.o.onReading({ ...base, value: v.value, quality: j.quality, time, ...(j.flags.length ? { flags: j.flags } : {}) });
        continue;
      }
      for (const out of filter.push(v.value, time)) this.o.onReading({ ...base, value: out.value, quality: 'good', time: out.time });
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private judge(name: string, unit: SenmlUnit | undefined): ChannelChecks {
    let j = this.judges.get(name);
    if (!j) {
      // BTHome's encodings bound the values themselves; the checks here are the owner's spike and stuck limits.
      j = new ChannelChecks({ name, unit, min: -Infinity, max: Infinity, resolution: 0 }, this.o.checks?.[name]);
      this.judges.set(name, j);
    }
    return j;
  }

  /** Absent once absentAfter advertisements were due and none came: the last of them was due absentAfter intervals from now; half an interval of grace for jitter. */
  private watch(): void {
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    const wait = this.o.intervalMs * this.o.absentAfter + this.o.intervalMs / 2;
    this.timer = this.o.timers.setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.move('unplugged', 'absent', Math.floor(this.o.clock()));
    }, wait);
  }

  private move(to: SensorState, reason: string, time: number): void {
    if (to === this.current) return;
    const change: StateChange = { sensor: this.o.name, from: this.current, to, reason, time };
    this.current = to;
    this.o.onState(change);
  }
}
