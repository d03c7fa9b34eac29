import { BTHOME_UUID } from '../../firmware/ble/bthome.js';
import type { Advertisement } from '../../hal/contracts/io.js';
import type { Signal } from '../environment/signals.js';
import type { BleAir } from '../world/ble-air.js';
import type { VirtualClock } from '../world/virtual-clock.js';
import { type BthomeObjectInput, encodeBthome, encryptBthome } from './bthome-encode.js';

export interface BthomeThermometerOptions {
  /** "A4:C1:38:AA:BB:CC". */
  mac: string;
  /** The local name it advertises. */
  name?: string;
  /** With a key it sends encrypted advertisements (AES-CCM, an increasing counter), without one plaintext with a packet id. */
  key?: Uint8Array;
  intervalMs: number;
  /** The room it sits in, °C and %RH over simulated time (sim/environment/signals.ts). */
  temperature: Signal;
  humidity: Signal;
  /** Battery, % (default 100). */
  battery?: number;
  rssi?: number;
  /** Scripted loss: true for the advertisements (counted from 0) that never reach the air. */
  lost?: (index: number) => boolean;
  /** The first counter it sends when encrypted (default 1). */
  counter?: number;
}

/**
 * A BTHome v2 thermometer/hygrometer on the simulator's BLE air, in the shape
 * of the common Xiaomi LYWSD03MMC running the BTHome firmware: every
 * intervalMs of simulated time it advertises temperature (0.01 °C),
 * humidity (0.01 %) and battery (1 %) read from its environment, plain or
 * encrypted. Test back doors: restart its counter (a battery change), see
 * what it sent and what was lost.
 */
export class BthomeThermometer {
  private index = 0;
  private counter: number;
  private packetId = 0;
  private timer: number | undefined;
  readonly stats = { sent: 0, lost: 0 };

  constructor(
    private readonly air: BleAir,
    private readonly clock: VirtualClock,
    private readonly o: BthomeThermometerOptions,
  ) {
    if (!(Number.isInteger(o.intervalMs) && o.intervalMs > 0)) throw new RangeError(`intervalMs must be a whole number of ms > 0, got ${o.intervalMs}`);
    this.counter = o.counter ?? 1;
  }

  /** Advertises now, then every intervalMs. */
  start(): void {
    if (this.timer !== undefined) return;
    const tick = () => {
      this.timer = this.clock.setTimeout(tick, this.o.intervalMs);
      this.advertiseOnce();
    };
    this.timer = this.clock.setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A battery change: the counter starts again from `to`. */
  restartCounter(to = 1): void {
    this.counter = to;
  }

  /** The advertisement it would send now (and counts it as sent: the counter moves on). */
  advertisement(): Advertisement {
    const at = this.clock.now();
    const objects: BthomeObjectInput[] = [
      { id: 0x01, value: Math.round(this.o.battery ?? 100) },
      { id: 0x02, value: Math.round(this.o.temperature(at) * 100) / 100 },
      { id: 0x03, value: Math.round(this.o.humidity(at) * 100) / 100 },
    ];
    const data = this.o.key
      ? encryptBthome(objects, this.o.mac, this.o.key, this.counter++)
      : encodeBthome(objects, { packetId: (this.packetId = (this.packetId + 1) & 0xff) });
    return { address: this.o.mac, rssi: this.o.rssi ?? -60, ...(this.o.name ? { name: this.o.name } : {}), serviceData: { [BTHOME_UUID]: data } };
  }

  private advertiseOnce(): void {
    const i = this.index++;
    const adv = this.advertisement();
    if (this.o.lost?.(i)) {
      this.stats.lost++;
      return;
    }
    this.stats.sent++;
    this.air.broadcast(adv);
  }
}
