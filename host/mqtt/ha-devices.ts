import { isValueMap, type Value } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { bleComponent, hubBleComponent } from '../ble/ble-mac.js';
import { BleDevices } from '../store/ble-devices.js';
import type { Cartridge } from '../store/cartridge.js';
import { READING_TYPE } from '../store/event-rows.js';
import { NodeLatest } from '../store/node-latest.js';
import { componentKey, isOutputReading, type NodeDevice, outputKey, outputPlatform } from './ha-discovery.js';

/** The sensor a BLE device's readings are shown under in Home Assistant (`<root>/ble-<mac>/bthome/<name>`). */
export const BLE_SENSOR = 'bthome';

/** Readings read back per node at start to find its components (the newest; a sensor not among them appears with its next reading). */
const RECENT_READINGS = 256;

/**
 * The nodes as Home Assistant devices, kept from what the hub stores: made
 * at start from the cartridge (each node's latest system.boot and recent
 * readings) and updated from each commit (ha-bridge.ts).
 */
export class HaDevices {
  readonly byId = new Map<string, NodeDevice>();
  /** Retired and revoked nodes: never shown again, whatever they still send. */
  readonly gone = new Set<string>();
  private readonly latest: NodeLatest;

  constructor(private readonly cartridge: Cartridge) {
    this.latest = new NodeLatest(cartridge.db);
  }

  /** Every node in service, with what the cartridge says of it; readings count as seen `now`. */
  load(now: number): void {
    this.byId.clear();
    for (const n of this.cartridge.nodeNames()) {
      if (n.retiredAt !== null || n.revokedAt !== null) {
        this.gone.add(n.id);
        continue;
      }
      const d = this.device(n.id) as NodeDevice;
      const boot = this.latest.latest(n.id, 'system.boot')[0];
      if (boot) this.boot(d, boot.data);
      for (const e of this.latest.latest(n.id, READING_TYPE, RECENT_READINGS).reverse()) this.reading(d, e, now);
    }
  }

  /** The node's device, made (from its enrolment) when new; none for a retired or revoked node. */
  device(id: string): NodeDevice | undefined {
    if (this.gone.has(id)) return undefined;
    let d = this.byId.get(id);
    if (!d) {
      const n = this.cartridge.nodeNames().find((x) => x.id === id);
      d = { id, name: n?.name ?? null, board: null, firmware: null, readings: new Map(), outputs: [], intervals: new Map(), latencyMs: 0, removing: new Map() };
      this.byId.set(id, d);
    }
    return d;
  }

  /** Takes in a system.boot: the image, board, sensors' intervals, uplink delay or wake period, and outputs. */
  boot(d: NodeDevice, data: Value): void {
    if (!isValueMap(data)) return;
    if (typeof data.firmware === 'string') d.firmware = data.firmware;
    if (typeof data.board === 'string') d.board = data.board;
    d.intervals.clear();
    const config = isValueMap(data.config) ? data.config : {};
    for (const s of Array.isArray(config.sensors) ? config.sensors : [])
      if (isValueMap(s) && typeof s.name === 'string' && typeof s.intervalMs === 'number') d.intervals.set(s.name, s.intervalMs);
    const uplink = isValueMap(config.uplink) ? config.uplink : {};
    const power = isValueMap(config.power) ? config.power : {};
    d.latencyMs = Math.max(typeof uplink.maxDelayMs === 'number' ? uplink.maxDelayMs : 0, typeof power.wakeEveryMs === 'number' ? power.wakeEveryMs : 0);
    const before = new Set(d.outputs.map((o) => o.name));
    d.outputs = this.cartridge.commands.outputsOf(d.id);
    const now = new Set(d.outputs.map((o) => o.name));
    // An output the node no longer declares leaves Home Assistant the documented way (ha-discovery.ts removing).
    for (const name of before) if (!now.has(name)) d.removing.set(outputKey(name), outputPlatform(name));
  }

  /**
   * The hub's BLE devices, each a device of its own shown through the hub
   * (its id is its component, `ble-<mac>`; its readings are the sensor
   * BLE_SENSOR's), with the readings the hub's chain holds of it; returns
   * those absent now (their sensor's newest state is unplugged).
   */
  loadBle(hubId: string, now: number): Set<string> {
    const absent = new Set<string>();
    const list = new BleDevices(this.cartridge.db).list();
    if (list.length === 0) return absent;
    const recent = this.latest.latest(hubId, READING_TYPE, RECENT_READINGS).reverse();
    for (const b of list) {
      const d = this.bleDevice(bleComponent(b.mac), b.name);
      for (const e of recent) if (hubBleComponent(e.source, hubId) === d.id) this.reading(d, e, now, BLE_SENSOR);
    }
    // Its newest lifecycle state says whether it is absent now (the newest first).
    const decided = new Set<string>();
    for (const e of this.latest.latest(hubId, 'sensor.state', RECENT_READINGS)) {
      const c = hubBleComponent(e.source, hubId);
      if (c === undefined || decided.has(c)) continue;
      decided.add(c);
      if (isValueMap(e.data) && e.data.to === 'unplugged') absent.add(c);
    }
    return absent;
  }

  /** A BLE device's HA device, made when new; its name follows the owner's (`fazt ble add --name`). */
  bleDevice(component: string, name: string | undefined): NodeDevice {
    let d = this.byId.get(component);
    if (!d) {
      d = {
        id: component,
        name: null,
        board: 'BTHome',
        firmware: null,
        readings: new Map(),
        outputs: [],
        intervals: new Map(),
        latencyMs: 0,
        removing: new Map(),
      };
      this.byId.set(component, d);
    }
    if (name !== undefined) d.name = name;
    return d;
  }

  /** Takes in a stored sensor.reading; true when it is a component the device did not have. `sensor`: the reading's sensor, else its source's component. */
  reading(d: NodeDevice, e: EventEntry, now: number, sensor = e.source.slice(e.source.indexOf('/') + 1)): boolean {
    const data = e.data;
    if (!isValueMap(data) || typeof data.name !== 'string') return false;
    const value = data.value;
    if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') return false;
    // Topic levels never hold wildcards or separators.
    if (!/^[A-Za-z0-9_.-]+$/.test(sensor) || !/^[A-Za-z0-9_.-]+$/.test(data.name)) return false;
    const key = componentKey(sensor, data.name);
    const had = d.readings.get(key);
    const unit = typeof data.unit === 'string' ? data.unit : undefined;
    d.readings.set(key, { sensor, name: data.name, ...(unit !== undefined ? { unit } : {}), sample: value, seenAt: now });
    d.removing.delete(key);
    return had === undefined || had.unit !== unit || typeof had.sample !== typeof value;
  }

  /** Readings not seen for `forgetMs`: dropped, and announced once with only their platform (HA's component removal). */
  forget(now: number, forgetMs: number, platformOf: (d: NodeDevice, key: string) => string): NodeDevice[] {
    const changed: NodeDevice[] = [];
    for (const d of this.byId.values()) {
      let any = false;
      for (const [key, r] of d.readings) {
        // An output's read-back belongs to its switch, and outputs report rarely: never forgotten.
        if (now - r.seenAt < forgetMs || isOutputReading(d.outputs, r.sensor, r.name)) continue;
        d.removing.set(key, platformOf(d, key));
        d.readings.delete(key);
        any = true;
      }
      if (any) changed.push(d);
    }
    return changed;
  }
}
