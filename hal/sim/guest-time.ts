import type { HalTime, TimerId } from '../contracts/time.js';
import type { HostCallBackend } from './host-call.js';

/** What GuestTime needs of a timer queue (sim/world/virtual-clock.ts provides it; injected so hal/ imports no sim/). */
export interface TimerQueue extends HalTime {
  runUntil(until: number, maxTimers?: number): number;
}

/**
 * Time for firmware running inside XS in the simulator. The guest keeps its
 * own timer queue, so now() costs nothing, and keeps the host's simulated
 * clock in step: before each timer fires, and on every delay, the host clock
 * (and with it the device models) is brought to the same moment. The host
 * drives the guest with run(until).
 */
export class GuestTime implements HalTime {
  constructor(private readonly queue: TimerQueue, private readonly host: HostCallBackend) {}

  now(): number {
    return this.queue.now();
  }

  delay(ms: number): void {
    this.queue.delay(ms);
    this.host.request({ op: 'delay', ms });
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    return this.queue.setTimeout(() => {
      this.host.request({ op: 'advanceTo', time: this.queue.now() });
      callback();
    }, ms);
  }

  clearTimeout(id: TimerId): void {
    this.queue.clearTimeout(id);
  }

  /** Runs every guest timer due up to `until`, then brings the host there too. */
  runUntil(until: number): number {
    const ran = this.queue.runUntil(until, 1_000_000);
    this.host.request({ op: 'advanceTo', time: until });
    return ran;
  }
}
