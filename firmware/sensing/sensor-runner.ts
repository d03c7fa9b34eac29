import { FaztError } from '../../hal/contracts/errors.js';
import type { Reading } from '../event/reading.js';
import type { HalTime } from '../../hal/contracts/time.js';
import type { StateChange, SensorState } from './lifecycle.js';
import { ChannelChecks, type ChannelCheckOptions } from './quality-checks.js';
import type { Sample, SensorDriver } from '../../hal/drivers/sensor-driver.js';

/** A chain of filters for one channel (filters/): values in, filtered values out. */
export interface ValueFilter {
  push(value: number, time: number): { value: number; time: number }[];
  tick?(time: number): { value: number; time: number }[];
}

export interface SensorRunnerOptions {
  /** The component name: events come from "<node>/<name>". */
  name: string;
  /** Opens the io and constructs the driver; throws IoError when the chip does not answer. */
  open: () => SensorDriver;
  time: HalTime;
  intervalMs: number;
  checks?: Record<string, ChannelCheckOptions>;
  filters?: Record<string, ValueFilter>;
  /** Consecutive I/O faults before the sensor counts as unplugged (default 3). */
  unplugAfter?: number;
  /** Reconnect backoff: first wait and the cap (defaults 1 s and 60 s), doubling in between. */
  reconnectMs?: { initial: number; max: number };
  onReading: (reading: Reading) => void;
  onState: (change: StateChange) => void;
}

const IO_FAULTS = ['nack', 'crc', 'timeout', 'bus-stuck', 'closed'];

/**
 * Runs one sensor on its schedule: samples the driver every intervalMs (from
 * the injected timers, so simulated time drives it), judges each value
 * (quality-checks.ts), passes good values through the channel's filters and
 * walks the lifecycle (lifecycle.ts) on faults, reconnecting with backoff.
 */
export class SensorRunner {
  private driver: SensorDriver | undefined;
  private current: SensorState = 'starting';
  private faults = 0;
  private timer: number | undefined;
  private backoff: number;
  private checks = new Map<string, ChannelCheckOptions>();
  private judges = new Map<string, ChannelChecks>();
  private stopped = false;
  private nextAt = 0;
  private requested: (() => void)[] = [];
  readonly stats = { samples: 0, readings: 0, faults: 0, reconnects: 0 };

  constructor(private readonly o: SensorRunnerOptions) {
    if (!(Number.isInteger(o.intervalMs) && o.intervalMs > 0)) throw new RangeError(`intervalMs must be a whole number of ms > 0, got ${o.intervalMs}`);
    if (typeof o.open !== 'function') throw new TypeError('open must be a function returning a driver');
    this.backoff = o.reconnectMs?.initial ?? 1000;
    for (const k in o.checks ?? {}) this.checks.set(k, (o.checks as Record<string, ChannelCheckOptions>)[k]);
  }

  get state(): SensorState {
    return this.current;
  }

  start(): void {
    this.tryOpen('started');
    this.nextAt = this.o.time.now() + this.o.intervalMs;
    this.schedule();
  }

  /**
   * Samples at once, outside the schedule, as ESPHome's `component.update()`
   * or a sensor's interrupt asks: on the next turn of the timer queue, so a
   * request from a handler never samples inside it. The schedule keeps its
   * slots. Requests made before that turn share the one sample. `done` runs
   * after its readings were emitted. False when the sensor cannot be read now
   * (not running, or stopped): nothing is sampled and `done` never runs.
   */
  requestSample(done?: () => void): boolean {
    if (this.stopped || !(this.current === 'running' || this.current === 'degraded')) return false;
    if (this.requested.length === 0)
      this.o.time.setTimeout(() => {
        const waiting = this.requested.splice(0);
        if (!this.stopped && (this.current === 'running' || this.current === 'degraded')) this.sampleOnce();
        for (const f of waiting) f();
      }, 0);
    this.requested.push(done ?? (() => undefined));
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.time.clearTimeout(this.timer);
    this.timer = undefined;
    this.closeDriver();
  }

  private schedule(): void {
    if (this.stopped) return;
    const wait = Math.max(0, this.nextAt - this.o.time.now());
    this.timer = this.o.time.setTimeout(() => this.tick(), wait);
  }

  private tick(): void {
    const now = this.o.time.now();
    this.nextAt += this.o.intervalMs;
    if (this.nextAt <= now) this.nextAt = now + this.o.intervalMs; // a long delay: skip missed slots
    if (this.current === 'running' || this.current === 'degraded') this.sampleOnce();
    else if (this.current === 'unplugged' && now >= this.reconnectAt) this.reconnect();
    this.tickFilters(Math.floor(this.o.time.now()));
    this.schedule();
  }

  private reconnectAt = 0;

  private move(to: SensorState, reason: string): void {
    if (to === this.current) return;
    const change: StateChange = { sensor: this.o.name, from: this.current, to, reason, time: Math.floor(this.o.time.now()) };
    this.current = to;
    this.o.onState(change);
  }

  private tryOpen(reason: string): boolean {
    try {
      this.driver = this.o.open();
      this.judges = new Map();
      for (const ch of this.driver.channels) this.judges.set(ch.name, new ChannelChecks(ch, this.checks.get(ch.name)));
      this.faults = 0;
      this.backoff = this.o.reconnectMs?.initial ?? 1000;
      this.move('running', reason);
      return true;
    } catch (e) {
      const code = e instanceof FaztError ? e.code : '';
      if (IO_FAULTS.indexOf(code) >= 0) {
        this.move('unplugged', code);
        this.reconnectAt = this.o.time.now() + this.backoff;
        this.backoff = Math.min(this.backoff * 2, this.o.reconnectMs?.max ?? 60_000);
      } else {
        this.move('failed', code || (e as Error).message);
      }
      return false;
    }
  }

  private reconnect(): void {
    this.stats.reconnects++;
    this.move('reconnecting', 'retry');
    this.tryOpen('recovered');
  }

  private closeDriver(): void {
    if (!this.driver) return;
    try {
      this.driver.close();
    } catch {
      // closing a device that is gone can fail; the claim is released regardless
    }
    this.driver = undefined;
  }

  private sampleOnce(): void {
    const d = this.driver as SensorDriver;
    let sample: Sample;
    try {
      this.stats.samples++;
      try {
        sample = d.sample();
      } catch (e) {
        // A checksum failure is often one disturbed transfer: retry once before counting it.
        if (!(e instanceof FaztError && e.code === 'crc')) throw e;
        sample = d.sample();
      }
    } catch (e) {
      const code = e instanceof FaztError ? e.code : '';
      if (IO_FAULTS.indexOf(code) < 0) {
        this.closeDriver();
        this.move('failed', code || (e as Error).message);
        return;
      }
      this.stats.faults++;
      this.faults++;
      if (this.faults >= (this.o.unplugAfter ?? 3) && code !== 'crc') {
        this.closeDriver();
        this.move('unplugged', code);
        this.reconnectAt = this.o.time.now() + this.backoff;
        this.backoff = Math.min(this.backoff * 2, this.o.reconnectMs?.max ?? 60_000);
      } else {
        this.move('degraded', code);
      }
      return;
    }
    this.faults = 0;
    if (this.current === 'degraded') this.move('running', 'recovered');
    const time = Math.floor(this.o.time.now());
    for (const ch of d.channels) {
      const v = sample[ch.name];
      if (v === undefined) continue; // a channel switched off (e.g. oversampling skip)
      if (typeof v === 'boolean') {
        this.emit({ name: ch.name, value: v, quality: 'good', time });
        continue;
      }
      const j = (this.judges.get(ch.name) as ChannelChecks).judge(v, time);
      const filter = this.o.filters?.[ch.name];
      if (j.quality !== 'good' || !filter) {
        this.emit({ name: ch.name, unit: ch.unit, value: v, quality: j.quality, time, flags: j.flags.length ? j.flags : undefined });
        continue;
      }
      for (const out of filter.push(v, time)) this.emit({ name: ch.name, unit: ch.unit, value: out.value, quality: 'good', time: out.time });
    }
  }

  private tickFilters(time: number): void {
    const filters = this.o.filters;
    if (!filters || !this.driver) return;
    for (const ch of this.driver.channels) {
      const f = filters[ch.name];
      if (!f || !f.tick) continue;
      for (const out of f.tick(time)) this.emit({ name: ch.name, unit: ch.unit, value: out.value, quality: 'good', time: out.time });
    }
  }

  private emit(r: Reading): void {
    if (r.unit === undefined) delete r.unit;
    if (r.flags === undefined) delete r.flags;
    this.stats.readings++;
    this.o.onReading(r);
  }
}
