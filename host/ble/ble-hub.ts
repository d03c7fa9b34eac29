import type { BthomeObject } from '../../firmware/ble/bthome.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { buildFilters } from '../../firmware/sensing/filters/build-filters.js';
import type { ValueFilter } from '../../firmware/sensing/sensor-runner.js';
import type { Advertisement } from '../../hal/contracts/io.js';
import type { Timers } from '../../hal/contracts/time.js';
import type { HubEventInput, HubLog } from '../hub/hub-log.js';
import { BleDevices } from '../store/ble-devices.js';
import type { Cartridge } from '../store/cartridge.js';
import { bleComponent } from './ble-mac.js';
import { BLE_DEFAULTS, type BleHubOptions } from './ble-hub-options.js';
import { BleSensor, type HeardValue } from './ble-sensor.js';
import { judgeAdvertisement } from './bthome-verdict.js';
import { RefusalReport } from './refusal-report.js';
import { ScanKeeper } from './scan-keeper.js';

export interface BleHubContext {
  cartridge: Cartridge;
  hubLog: HubLog;
  clock: () => number;
  timers: Timers;
  log: (record: Record<string, unknown>) => void;
}

/** Figures for tests and Pulse: advertisements heard (any device), taken, refused by code, plaintext repeats dropped. */
export interface BleHubStats {
  heard: number;
  accepted: number;
  repeats: number;
  refused: Record<string, number>;
}

/**
 * BTHome devices as the hub's own sensors: listens with the scanner it is
 * given, judges each advertisement from a configured device
 * (bthome-verdict.ts: decryption, downgrade, persisted replay counter,
 * plaintext repeats), and turns what is accepted into sensor.reading,
 * sensor.state and sensor.event entries on the hub's signed chain with
 * component `ble-<mac>`, through the same lifecycle, checks and filters as a
 * node's sensor (ble-sensor.ts). The counter taken and the readings it
 * carried are one commit. Refusals trickle into the op log (mac, code,
 * count, why; never the key) and onto the chain as system.ble.refused
 * (refusal-report.ts), each at most once a minute per device and code.
 * A BlueZ outage is logged and the scan made again (scan-keeper.ts).
 */
export class BleHub {
  readonly devices: BleDevices;
  readonly stats: BleHubStats = { heard: 0, accepted: 0, repeats: 0, refused: {} };
  private readonly sensors = new Map<string, BleSensor>();
  private readonly lastPacketId = new Map<string, number>();
  private readonly refusals: RefusalReport;
  private readonly scan: ScanKeeper;
  /** Where a sensor's readings go while an advertisement is handled (one commit), else straight to the chain. */
  private batch: HubEventInput[] | undefined;

  constructor(
    private readonly o: BleHubOptions,
    private readonly ctx: BleHubContext,
  ) {
    this.devices = new BleDevices(ctx.cartridge.db);
    this.refusals = new RefusalReport({
      windowMs: o.refusalWindowMs ?? BLE_DEFAULTS.refusalWindowMs,
      clock: ctx.clock,
      timers: ctx.timers,
      report: (s) => {
        ctx.log({ level: 'warn', code: `ble-${s.code}`, mac: s.mac, count: s.count, message: s.detail });
        this.append([{ type: 'system.ble.refused', component: bleComponent(s.mac), data: { mac: s.mac, code: s.code, count: s.count } }]);
      },
    });
    this.scan = new ScanKeeper({ make: o.scanner, onAdvertisement: (adv) => this.heard(adv), retryMs: o.retryMs ?? BLE_DEFAULTS.retryMs, log: ctx.log });
  }

  /** Starts scanning; throws when no scanner can be made at all (a BlueZ outage later is retried: scan-keeper.ts). */
  start(): void {
    this.scan.start();
  }

  stop(): void {
    this.scan.stop();
    for (const s of this.sensors.values()) s.stop();
    this.sensors.clear();
    this.refusals.flushAll();
  }

  /** One advertisement, as the scanner heard it. */
  heard(adv: Advertisement): void {
    this.stats.heard++;
    const items: HubEventInput[] = [];
    let accepted = false;
    try {
      this.ctx.hubLog.atomically(() => {
        const v = judgeAdvertisement(adv, this.devices, this.lastPacketId);
        if (!v) return;
        const { mac } = v.device;
        if (v.kind === 'repeat') return void this.stats.repeats++;
        if (v.kind === 'refused') {
          this.stats.refused[v.code] = (this.stats.refused[v.code] ?? 0) + 1;
          this.refusals.note(mac, v.code, v.detail);
          return;
        }
        const component = bleComponent(mac);
        if (v.reset) items.push({ type: 'system.ble.reset', component, data: { mac, from: v.reset.from, to: v.reset.to } });
        const time = Math.floor(this.ctx.clock());
        this.batch = items;
        try {
          this.sensor(mac).heard(values(v.objects), time);
        } finally {
          this.batch = undefined;
        }
        for (const e of v.objects.filter((x) => x.kind === 'event'))
          items.push({ type: 'sensor.event', component, data: { type: e.name, value: e.value, time } });
        if (items.length) this.ctx.hubLog.appendMany(items);
        accepted = true;
      });
    } catch (e) {
      this.ctx.log({ level: 'error', code: 'ble-store', mac: adv.address, message: (e as Error).message });
      return;
    }
    if (accepted) this.stats.accepted++;
  }

  private sensor(mac: string): BleSensor {
    let s = this.sensors.get(mac);
    if (s) return s;
    const component = bleComponent(mac);
    const filters: Record<string, ValueFilter> = {};
    for (const [name, list] of Object.entries(this.o.filters ?? {})) filters[name] = buildFilters(list);
    s = new BleSensor({
      name: component,
      intervalMs: this.o.intervalMs ?? BLE_DEFAULTS.intervalMs,
      absentAfter: this.o.absentAfter ?? BLE_DEFAULTS.absentAfter,
      checks: this.o.checks,
      filters,
      timers: this.ctx.timers,
      clock: this.ctx.clock,
      onReading: (r) => this.emit({ type: 'sensor.reading', component, data: r as unknown as ValueMap }),
      onState: (c) => this.emit({ type: 'sensor.state', component, data: { from: c.from, to: c.to, reason: c.reason }, time: c.time }),
    });
    this.sensors.set(mac, s);
    return s;
  }

  private emit(item: HubEventInput): void {
    if (this.batch) this.batch.push(item);
    else this.append([item]);
  }

  private append(items: HubEventInput[]): void {
    try {
      this.ctx.hubLog.appendMany(items);
    } catch (e) {
      this.ctx.log({ level: 'error', code: 'ble-store', message: (e as Error).message });
    }
  }
}

/** Measurements and binary sensors as a sensor's values; a name seen twice in one packet (two temperatures) gets _2, _3. */
function values(objects: readonly BthomeObject[]): HeardValue[] {
  const seen = new Map<string, number>();
  const out: HeardValue[] = [];
  for (const o of objects) {
    if (o.kind !== 'measurement' && o.kind !== 'binary') continue;
    const n = (seen.get(o.name) ?? 0) + 1;
    seen.set(o.name, n);
    out.push({ name: n === 1 ? o.name : `${o.name}_${n}`, value: o.value, ...(o.unit !== undefined ? { unit: o.unit } : {}) });
  }
  return out;
}
