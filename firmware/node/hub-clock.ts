import type { Clock } from '../../hal/contracts/time.js';
import type { EventClock } from '../event/envelope.js';

/** Where a node's event times come from (node config `clock`). */
export type ClockMode = 'rtc' | 'hub';
const CLOCK_MODES: readonly ClockMode[] = ['rtc', 'hub'];

/** What a system.clock event records: the clock was set, or moved by more than the threshold. */
export interface ClockStep {
  source: 'hub';
  /** Hub time − local time after this exchange (ms, rounded). */
  offsetMs: number;
  /** The exchange's round trip on the local clock (ms, rounded). */
  rttMs: number;
  /** How far the node's timestamps moved: the new offset − the previous one (all of it at the first sync). */
  stepMs: number;
}

export interface HubClockStatus {
  mode: ClockMode;
  source: EventClock;
  offsetMs: number;
  /** Hub time − this node's time at the last exchange, before any correction (ms); null before one. */
  driftMs: number | null;
  rttMs: number | null;
  /** Acknowledgements with the hub's time seen. */
  syncs: number;
}

export interface HubClockOptions {
  /** The device's own clock (the injected HalTime): only read, never set. */
  local: Pick<Clock, 'now'>;
  /** 'hub' (default: an ESP32 has no battery-backed clock) or 'rtc'. */
  mode?: ClockMode;
  /** A later correction larger than this is a step worth an event (ms, default 1000). */
  stepThresholdMs?: number;
}

const DEFAULT_STEP_THRESHOLD_MS = 1000;

/**
 * The time a node stamps its events with. In mode 'hub' it is the local
 * clock plus an offset taken from the hub: every uplink acknowledgement
 * carries the hub's clock, and the hub's reading is placed at the midpoint
 * of the exchange on the local clock (symmetric delays, as NTP assumes:
 * RFC 5905 §8), so offset = hubTime − (sentAt + receivedAt) / 2 and the error
 * is at most half the round trip. Before the first acknowledgement the local
 * time is used as it is and the source is 'unsynced'. In mode 'rtc' the local
 * clock is trusted; the hub's time only feeds the drift figure.
 *
 * Only timestamps go through this clock. Timers and schedules keep the raw,
 * monotonic local clock: a correction must not fire or skip a timer.
 */
export class HubClock {
  readonly mode: ClockMode;
  readonly stepThresholdMs: number;
  private readonly local: Pick<Clock, 'now'>;
  private offset = 0;
  private drift: number | null = null;
  private rtt: number | null = null;
  private syncs = 0;

  constructor(options: HubClockOptions) {
    if (!options || typeof options.local?.now !== 'function') throw new TypeError('local must be a clock with now()');
    const mode = options.mode ?? 'hub';
    if (!CLOCK_MODES.includes(mode)) throw new RangeError(`mode must be 'rtc' or 'hub', got '${String(mode)}'`);
    const threshold = options.stepThresholdMs ?? DEFAULT_STEP_THRESHOLD_MS;
    if (!(typeof threshold === 'number' && threshold >= 0 && Number.isFinite(threshold)))
      throw new RangeError(`stepThresholdMs must be a number of ms ≥ 0, got ${threshold}`);
    this.local = options.local;
    this.mode = mode;
    this.stepThresholdMs = threshold;
  }

  /** Which clock stamps events now. */
  get source(): EventClock {
    if (this.mode === 'rtc') return 'rtc';
    return this.syncs > 0 ? 'hub' : 'unsynced';
  }

  get synced(): boolean {
    return this.mode === 'hub' && this.syncs > 0;
  }

  /** What is added to the local clock (0 in mode 'rtc' and before the first sync). */
  get offsetMs(): number {
    return this.offset;
  }

  /** Now, in whole milliseconds since the epoch. */
  now(): number {
    return this.stamp(this.local.now());
  }

  /** A moment read on the local clock (a sample's time), as this clock tells it. */
  stamp(local: number): number {
    return Math.floor(local + this.offset);
  }

  /**
   * One acknowledgement carrying the hub's time; `sentAt` and `receivedAt`
   * are the local clock when the batch left and the answer came. Returns the
   * step to record (the first sync, or a correction beyond the threshold),
   * or undefined.
   */
  observe(hubTime: number, sentAt: number, receivedAt: number): ClockStep | undefined {
    if (!Number.isSafeInteger(hubTime) || hubTime < 0) throw new RangeError(`hubTime must be whole milliseconds ≥ 0, got ${hubTime}`);
    if (!Number.isFinite(sentAt) || !Number.isFinite(receivedAt) || receivedAt < sentAt)
      throw new RangeError(`receivedAt (${receivedAt}) must be a time at or after sentAt (${sentAt})`);
    const mid = (sentAt + receivedAt) / 2;
    const offset = hubTime - mid;
    this.rtt = receivedAt - sentAt;
    this.drift = offset - this.offset;
    const first = this.syncs === 0;
    this.syncs++;
    if (this.mode === 'rtc') return undefined;
    const step = offset - this.offset;
    this.offset = offset;
    if (!first && Math.abs(step) <= this.stepThresholdMs) return undefined;
    return { source: 'hub', offsetMs: Math.round(offset), rttMs: Math.round(this.rtt), stepMs: Math.round(step) };
  }

  status(): HubClockStatus {
    return {
      mode: this.mode,
      source: this.source,
      offsetMs: Math.round(this.offset),
      driftMs: this.drift === null ? null : Math.round(this.drift),
      rttMs: this.rtt === null ? null : Math.round(this.rtt),
      syncs: this.syncs,
    };
  }
}
