import type { Advertisement, BleScanner } from '../../hal/contracts/io.js';
import { LinuxBleScanner } from '../../hal/linux/linux-ble.js';
import { loadNative, requireLoader } from '../../hal/linux/load-native.js';
import type { NodeBleModule } from '../../hal/linux/native-types.js';
import type { ScannerEvents } from './ble-hub-options.js';

const looksLikeNodeBle = (m: unknown): m is NodeBleModule => typeof (m as { createBluetooth?: unknown } | null)?.createBluetooth === 'function';

/**
 * A scanner factory on BlueZ over the system D-Bus (node-ble, loaded when the
 * first scanner is made): what `fazt hub --ble` and `fazt ble scan` listen
 * with. `adapter` names the BlueZ adapter (hci0; the first when absent);
 * faults (no bus, no adapter, BlueZ errors) go to `on.onFault` and end that
 * scanner's scan; `on.onScanning` says when it is scanning.
 */
export function bluezScanner(o: { adapter?: string; pollMs?: number }): (onAdvertisement: (adv: Advertisement) => void, on: ScannerEvents) => BleScanner {
  return (onAdvertisement, on) => {
    const nodeBle = loadNative(requireLoader(), 'node-ble', { boardId: 'this host', purpose: 'BLE scanning' }, looksLikeNodeBle);
    return new LinuxBleScanner(nodeBle, { onAdvertisement, duplicates: true, adapter: o.adapter, pollMs: o.pollMs, onScanning: on.onScanning }, on.onFault);
  };
}
