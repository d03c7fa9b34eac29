import { bluezScanner } from '../ble/bluez-scanner.js';
import type { HubOptions } from '../hub/hub-options.js';
import { type OptionSpec, UsageError } from './command.js';
import { durationFlag } from './duration-flag.js';

/** The BLE flags of `fazt hub`: BTHome devices (fazt ble add) heard through BlueZ become the hub's own sensors. */
export const BLE_FLAGS: Record<string, OptionSpec> = {
  ble: { type: 'boolean', description: 'scan for the configured BTHome devices (fazt ble add) through BlueZ on the system D-Bus' },
  'ble-adapter': { type: 'string', value: 'NAME', description: 'the BlueZ adapter to scan with, e.g. hci1 (default: the first)' },
  'ble-interval': { type: 'string', value: 'DURATION', description: 'how often the devices advertise (default 60s)' },
  'ble-absent-after': { type: 'string', value: 'N', description: 'missed advertisements before a device is absent (default 5)' },
};

/** The flags as HubOptions.ble; a BlueZ fault while the hub runs is logged and the scan tried again (host/ble/ble-hub.ts), not the hub ended. */
export function bleFlags(values: Record<string, unknown>): Pick<HubOptions, 'ble'> {
  if (!values.ble) {
    for (const f of ['ble-adapter', 'ble-interval', 'ble-absent-after']) if (values[f] !== undefined) throw new UsageError(`--${f} needs --ble`);
    return {};
  }
  const adapter = typeof values['ble-adapter'] === 'string' ? values['ble-adapter'] : undefined;
  if (adapter !== undefined && !/^hci\d+$/.test(adapter)) throw new UsageError(`--ble-adapter '${adapter}' is not a BlueZ adapter name (hci0, hci1, …)`);
  const intervalMs = values['ble-interval'] === undefined ? undefined : durationFlag(String(values['ble-interval']), '--ble-interval');
  let absentAfter: number | undefined;
  if (values['ble-absent-after'] !== undefined) {
    absentAfter = Number(values['ble-absent-after']);
    if (!Number.isInteger(absentAfter) || absentAfter < 1) throw new UsageError('--ble-absent-after must be a whole number ≥ 1');
  }
  const scanner = bluezScanner({ adapter });
  return { ble: { scanner, ...(intervalMs !== undefined ? { intervalMs } : {}), ...(absentAfter !== undefined ? { absentAfter } : {}) } };
}
