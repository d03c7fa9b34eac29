import type { ChannelCheckOptions } from '../../firmware/sensing/quality-checks.js';
import type { IoError } from '../../hal/contracts/errors.js';
import type { Advertisement, BleScanner } from '../../hal/contracts/io.js';

/** What a scanner says besides advertisements: a fault that ended its scan, and (where it can tell) that it is scanning. */
export interface ScannerEvents {
  onFault: (e: IoError) => void;
  onScanning?: () => void;
}

/** BTHome devices on the hub (HubOptions.ble; `fazt hub --ble`, host/cli/ble-flags.ts). */
export interface BleHubOptions {
  /** Makes the scanner the hub listens with: BlueZ over D-Bus (`fazt hub --ble`) or the simulator's air (`fazt start`). */
  scanner: (onAdvertisement: (adv: Advertisement) => void, on: ScannerEvents) => BleScanner;
  /** How often a device is expected to advertise (default 60 s). */
  intervalMs?: number;
  /** Missed advertisements in a row before a device's sensor is absent (default 5). */
  absentAfter?: number;
  /** Plausibility checks per reading name, as a node's sensor takes them. */
  checks?: Record<string, ChannelCheckOptions>;
  /** ESPHome-style filter lists per reading name (firmware/sensing/filters/build-filters.ts). */
  filters?: Record<string, Record<string, unknown>[]>;
  /** At most one refusal event per device and code in this window (default 60 s). */
  refusalWindowMs?: number;
  /** After a scanner fault (BlueZ gone, the adapter gone, the bus dropped), a new scanner after a pause doubling from min to max (default 1 s to 60 s, real time). */
  retryMs?: { min: number; max: number };
}

export const BLE_DEFAULTS = { intervalMs: 60_000, absentAfter: 5, refusalWindowMs: 60_000, retryMs: { min: 1000, max: 60_000 } } as const;

/** Checks the options before anything starts; a RangeError names the one that is wrong. */
export function checkBleHubOptions(o: BleHubOptions): void {
  if (typeof o.scanner !== 'function') throw new TypeError('ble.scanner must be a function making a BLE scanner');
  const whole = (name: string, v: number | undefined, min: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new RangeError(`ble.${name} must be a whole number ≥ ${min}, got ${v}`);
  };
  whole('intervalMs', o.intervalMs, 1);
  whole('absentAfter', o.absentAfter, 1);
  whole('refusalWindowMs', o.refusalWindowMs, 1);
  if (o.retryMs !== undefined) {
    whole('retryMs.min', o.retryMs.min, 1);
    whole('retryMs.max', o.retryMs.max, o.retryMs.min);
  }
}
