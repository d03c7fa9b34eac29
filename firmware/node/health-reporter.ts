import type { ValueMap } from '../codec/value.js';
import type { BatterySource } from '../../hal/contracts/battery.js';
import { type HealthSource, UNKNOWN_HEALTH } from '../../hal/contracts/health.js';
import type { Timers } from '../../hal/contracts/time.js';

/** How often a node reports on itself when its config does not say (README "The node firmware"). */
export const DEFAULT_HEALTH_INTERVAL_MS = 15 * 60_000;

export interface HealthReporterOptions {
  timers: Timers;
  /** 0: never. */
  intervalMs: number;
  /** The backend's figures; without one every figure is null. */
  source: HealthSource | undefined;
  /** The board's battery; without one the event has no battery figure (a mains-powered board has none to give). */
  battery?: BatterySource;
  /** What the node itself knows: its uplink's retries and its buffer's fill. */
  own: () => { uplinkRetries: number; bufferBytes: number; bufferBudgetBytes: number };
  firmware: string;
  record: (data: ValueMap) => void;
}

/**
 * Records system.health every intervalMs on the injected timers: the board's
 * figures as the backend reads them (null where it cannot know one), the
 * uplink's retries, the buffer's fill and the firmware version, and
 * `battery` ({volts, percent}) on a board that can measure its cell. A source
 * that throws reports nothing rather than a made-up figure (battery: null).
 */
export class HealthReporter {
  private timer: number | undefined;

  constructor(private readonly o: HealthReporterOptions) {
    const ms = o.intervalMs;
    if (!(Number.isInteger(ms) && ms >= 0)) throw new RangeError(`health.intervalMs must be a non-negative integer, got ${ms}`);
  }

  start(): void {
    if (this.o.intervalMs === 0 || this.timer !== undefined) return;
    this.plan();
  }

  stop(): void {
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The event's data now. */
  figures(): ValueMap {
    let h = UNKNOWN_HEALTH;
    try {
      if (this.o.source) h = this.o.source.read();
    } catch {
      h = UNKNOWN_HEALTH;
    }
    const own = this.o.own();
    const figures: ValueMap = {
      uptimeMs: h.uptimeMs,
      freeHeap: h.freeHeap,
      largestFreeBlock: h.largestFreeBlock,
      minFreeHeap: h.minFreeHeap,
      resetReason: h.resetReason,
      rssi: h.rssi,
      uplinkRetries: own.uplinkRetries,
      bufferBytes: own.bufferBytes,
      bufferBudgetBytes: own.bufferBudgetBytes,
      firmware: this.o.firmware,
    };
    if (this.o.battery) figures.battery = this.battery(this.o.battery);
    return figures;
  }

  private battery(source: BatterySource): ValueMap | null {
    try {
      const b = source.read();
      return { volts: b.volts, percent: b.percent };
    } catch {
      return null;
    }
  }

  private plan(): void {
    this.timer = this.o.timers.setTimeout(() => {
      this.plan();
      this.o.record(this.figures());
    }, this.o.intervalMs);
  }
}
