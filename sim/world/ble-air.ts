import type { Advertisement } from '../../hal/contracts/io.js';
import type { SimBleAirPort } from '../../hal/sim/sim-ports.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * The simulator's BLE air: advertisers broadcast at an interval in simulated
 * time; every board scanning hears each advertisement (no loss or collisions
 * are modelled; RSSI is whatever the advertiser sets).
 */
export class BleAir implements SimBleAirPort {
  private readonly listeners = new Set<(adv: Advertisement) => void>();

  constructor(private readonly clock: VirtualClock) {}

  scan(onAdvertisement: (adv: Advertisement) => void): () => void {
    this.listeners.add(onAdvertisement);
    return () => void this.listeners.delete(onAdvertisement);
  }

  /** One advertisement now. */
  broadcast(adv: Advertisement): void {
    for (const l of Array.from(this.listeners)) l(adv);
  }

  /** Advertise every intervalMs until the returned function is called. */
  advertise(adv: () => Advertisement, intervalMs: number): () => void {
    if (!(intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      this.broadcast(adv());
      this.clock.setTimeout(tick, intervalMs);
    };
    this.clock.setTimeout(tick, 0);
    return () => {
      stopped = true;
    };
  }
}
