import type { HalTime, TimerId } from '../contracts/time.js';
import type { HostCallBackend } from './host-call.js';

/** What GuestTime needs of a timer queue (sim/world/virtual-clock.ts provides it; injected so hal/ imports no sim/). */
export interface TimerQueue extends HalTime {
  runUntil(until: number, maxTimers?: number): number;
  nextDue(): number | undefined;
}

/**
 * Time for firmware running inside XS in the simulator. The guest keeps its
 * own timer queue, so now() costs nothing, and keeps the host's simulated
 * clock in step: before each timer fires, and on every delay, the host clock
 * (and with it the device models) is brought to the same moment, and the
 * guest also stops whenever the host has something scheduled (a button's
 * release), so edges arrive at the time they happen. The host drives the
 * guest with runUntil(until).
 */
export class GuestTime implements HalTime {
  private hostNext = Infinity;
  private readonly cancelled = new Set<TimerId>();

  constructor(
    private readonly queue: TimerQueue,
    private readonly host: HostCallBackend,
  ) {}

  /** Brings the host to `time`; edges that fired are dispatched; learns when the host next acts. */
  private sync(time: number): void {
    const r = this.host.request({ op: 'advanceTo', time }) as { next: number | null } | null;
    this.hostNext = r && r.next !== null ? r.next : Infinity;
  }

  now(): number {
    return this.queue.now();
  }

  delay(ms: number): void {
    this.queue.delay(ms);
    this.host.request({ op: 'delay', ms });
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    const id = this.queue.setTimeout(() => {
      this.sync(this.queue.now());
      // Syncing may have delivered an edge whose handler cancelled this very timer.
      if (this.cancelled.delete(id)) return;
      callback();
    }, ms);
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.cancelled.add(id);
    this.queue.clearTimeout(id);
  }

  /** Runs guest timers and host events in time order up to `until`. */
  runUntil(until: number): number {
    let ran = 0;
    for (let step = 0; step < 1_000_000; step++) {
      const stop = Math.min(until, this.hostNext);
      ran += this.queue.runUntil(stop, 1_000_000);
      this.sync(stop);
      if (stop >= until) break;
    }
    this.cancelled.clear();
    return ran;
  }
}
