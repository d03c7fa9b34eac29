import { isValueMap } from '../../firmware/codec/value.js';
import { bleComponent } from '../ble/ble-mac.js';
import { BleDevices } from '../store/ble-devices.js';
import type { Cartridge } from '../store/cartridge.js';
import { type LatestReading, latestReadings } from '../store/latest-readings.js';
import { NodeLatest } from '../store/node-latest.js';

/** The hub's sensor.state events read back to find each device's presence (the newest per device wins). */
const STATES_SCANNED = 256;
/** The hub's newest readings read back for its devices' newest values. */
const READINGS_SCANNED = 500;

/** A BTHome device of the hub as GET /v1/nodes lists it: a device under the hub (its chain), like a node's sensor. */
export interface BleDeviceSummary {
  mac: string;
  name: string | null;
  /** The component its events carry on the hub's chain (`ble-<mac>`). */
  component: string;
  /** The chain its readings are on: the hub's id. */
  hub: string;
  addedAt: number;
  encrypted: boolean;
  /** Its sensor's lifecycle state (running; unplugged when absent), or null before it was first heard. */
  state: string | null;
  stateSince: number | null;
  /** Its newest reading's time, or null. */
  lastHeard: number | null;
  /** The newest reading of each of its values. */
  readings: LatestReading[];
}

/** The configured BLE devices with their newest readings and presence, from the stored log alone (never the key). */
export function bleDeviceList(cartridge: Cartridge, hubId: string): BleDeviceSummary[] {
  const devices = new BleDevices(cartridge.db).list();
  if (devices.length === 0) return [];
  const readings = latestReadings(cartridge.db, hubId, READINGS_SCANNED);
  const states = new Map<string, { to: string; time: number }>();
  for (const e of new NodeLatest(cartridge.db).latest(hubId, 'sensor.state', STATES_SCANNED)) {
    const component = e.source.slice(hubId.length + 1);
    if (!states.has(component) && isValueMap(e.data) && typeof e.data.to === 'string') states.set(component, { to: e.data.to, time: e.time });
  }
  return devices.map((d) => {
    const component = bleComponent(d.mac);
    const own = readings.filter((r) => r.component === component);
    const times = own.map((r) => r.time).filter((t): t is number => typeof t === 'number');
    const s = states.get(component);
    return {
      mac: d.mac,
      name: d.name ?? null,
      component,
      hub: hubId,
      addedAt: d.addedAt,
      encrypted: d.key !== undefined,
      state: s?.to ?? null,
      stateSince: s?.time ?? null,
      lastHeard: times.length ? Math.max(...times) : null,
      readings: own,
    };
  });
}
