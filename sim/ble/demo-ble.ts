import { randomBytes } from 'node:crypto';
import { SimBleScanner } from '../../hal/sim/sim-ble.js';
import type { BleHubOptions } from '../../host/ble/ble-hub-options.js';
import { sine } from '../environment/signals.js';
import { BleAir } from '../world/ble-air.js';
import { VirtualClock } from '../world/virtual-clock.js';
import { BthomeThermometer } from './bthome-thermometer.js';

/** The BLE thermometer `fazt start` runs beside its three nodes. */
export const DEMO_BLE = { mac: 'A4:C1:38:5A:1E:07', name: 'pantry', intervalMs: 10_000 } as const;

/**
 * `fazt start`'s BLE air: one encrypted BTHome thermometer (a pantry, a little
 * cooler than the rooms, slowly swinging) advertising every 10 s, and the
 * hub listening to the same air. The air's clock follows the wall clock
 * (advance()). Each start makes a fresh key and adds the device with it
 * through the hub's API, so the hub starts its counter afresh too.
 */
export class DemoBle {
  readonly clock = new VirtualClock(Date.now());
  readonly air = new BleAir(this.clock);
  private readonly key = new Uint8Array(randomBytes(16));
  private readonly device = new BthomeThermometer(this.air, this.clock, {
    mac: DEMO_BLE.mac,
    name: `ATC_${DEMO_BLE.mac.slice(-8).replace(/:/g, '')}`,
    key: this.key,
    intervalMs: DEMO_BLE.intervalMs,
    temperature: sine(17.5, 1.2, 3_600_000),
    humidity: sine(58, 4, 5_400_000),
    battery: 91,
  });

  /** HubOptions.ble for the hub: it scans this air. */
  hubOptions(): BleHubOptions {
    return {
      scanner: (onAdvertisement) => new SimBleScanner(this.air, { onAdvertisement }, 'hub'),
      intervalMs: DEMO_BLE.intervalMs,
      absentAfter: 3,
      checks: { temperature: { maxRatePerS: 0.5 } },
    };
  }

  /** Adds the thermometer on the hub (as `fazt ble add --key` does) and switches it on. */
  async start(hubUrl: string, ownerToken: string): Promise<void> {
    const res = await fetch(`${hubUrl}/v1/ble/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mac: DEMO_BLE.mac, name: DEMO_BLE.name, key: Buffer.from(this.key).toString('hex') }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`adding the demo BLE thermometer: ${res.status} ${await res.text()}`);
    this.device.start();
  }

  /** Runs the air up to `now` (wall-clock ms). */
  advance(now: number): void {
    this.clock.runUntil(now);
  }

  stop(): void {
    this.device.stop();
  }
}
