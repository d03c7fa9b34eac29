import { IoError } from '../contracts/errors.js';
import type { Advertisement, BleScanner } from '../contracts/io.js';
import { assertOpen, FaultLatch } from './linux-context.js';
import type { NodeBleAdapter, NodeBleBluetooth, NodeBleDevice, NodeBleModule } from './native-types.js';

export interface LinuxBleOptions {
  onAdvertisement: (adv: Advertisement) => void;
  duplicates: boolean;
  /** BlueZ adapter name ("hci0"); the first adapter when undefined. */
  adapter: string | undefined;
  /** How often BlueZ's device list is read (default 1000 ms). */
  pollMs?: number;
  /** Bound on every D-Bus round trip (default 5000 ms). */
  callTimeoutMs?: number;
  /** Called once a start() is scanning: discovery on and BlueZ's device list read once. */
  onScanning?: () => void;
}

/** BlueZ's dict properties (a{qv}, a{sv}) as node-ble hands them over: key → Buffer. */
function bytesByKey(dict: Record<string, unknown> | undefined): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const [k, v] of Object.entries(dict ?? {})) if (v instanceof Uint8Array) out.push([k, new Uint8Array(v)]);
  return out;
}

interface DeviceProperties {
  rssi: unknown;
  name: unknown;
  manufacturerData: Record<string, unknown> | undefined;
  serviceData: Record<string, unknown> | undefined;
}

/** A D-Bus dict of variants (a{qv}, a{sv}) as GetAll hands it over: key → the variant's value. */
function unwrapped(dict: unknown): Record<string, unknown> | undefined {
  if (!dict || typeof dict !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(dict)) out[k] = v && typeof v === 'object' && 'signature' in v && 'value' in v ? v.value : v;
  return out;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * A BLE scanner over BlueZ's D-Bus API through node-ble. start() opens a
 * system-bus session, starts LE discovery on the adapter (unless another
 * client already has it discovering) and reads BlueZ's device list every
 * pollMs. A device is reported when it carries an RSSI (BlueZ sets one only
 * for devices heard in the current discovery), built from its Address, RSSI,
 * Name, ManufacturerData and ServiceData properties. With duplicates (the
 * default) it is reported again whenever BlueZ's view of it changes (RSSI or
 * data): BlueZ itself folds identical advertisements, so "every packet" is
 * not on offer over D-Bus. stop() stops the discovery it started and closes
 * the session. Every poll reads the adapter's Discovering first: an adapter
 * that vanished is a fault; one that stopped discovering (reset, powered
 * off and on) is asked to discover again. Faults (no system bus, no
 * adapter, BlueZ errors) go to the fault latch and end the scan; a scan
 * after a fault is a new scanner (the hub's: host/ble/scan-keeper.ts).
 */
export class LinuxBleScanner implements BleScanner {
  private closed = false;
  private run = 0;
  private session: { bluetooth: NodeBleBluetooth; destroy(): void } | undefined;
  private adapter: NodeBleAdapter | undefined;
  private startedDiscovery = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly devices = new Map<string, NodeBleDevice>();
  private readonly seen = new Map<string, string>();
  private readonly faults: FaultLatch;

  constructor(
    private readonly nodeBle: NodeBleModule,
    private readonly o: LinuxBleOptions,
    onFault: ((e: IoError) => void) | undefined,
  ) {
    this.faults = new FaultLatch(onFault);
  }

  private bounded<T>(what: string, p: Promise<T>): Promise<T> {
    const ms = this.o.callTimeoutMs ?? 5000;
    let t: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new IoError('timeout', `BLE: ${what} got no answer from BlueZ within ${ms} ms`)), ms);
      t.unref(); // a bound on a call never keeps the process alive by itself
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(t));
  }

  start(): void {
    assertOpen(this.closed, 'BLE scanner');
    this.faults.throwIfFaulted();
    if (this.session) return;
    const run = ++this.run;
    let session: { bluetooth: NodeBleBluetooth; destroy(): void };
    try {
      session = this.session = this.nodeBle.createBluetooth();
    } catch (e) {
      throw new IoError('absent', `BLE: cannot open a system D-Bus session: ${(e as Error).message}`, { cause: e });
    }
    session.bluetooth.dbus?.on('error', (e) =>
      this.fail(run, new IoError('absent', `BLE: cannot reach BlueZ on the system D-Bus (${(e as NodeJS.ErrnoException).code ?? e.message})`, { cause: e })),
    );
    this.begin(run).catch((e: unknown) => this.fail(run, e));
  }

  private fail(run: number, e: unknown): void {
    if (run !== this.run) return;
    this.faults.report(e instanceof IoError ? e : new IoError('absent', `BLE: ${(e as Error).message}`, { cause: e }));
    this.halt();
  }

  private async begin(run: number): Promise<void> {
    const { bluetooth } = this.session as { bluetooth: NodeBleBluetooth };
    const names = await this.bounded('listing adapters', bluetooth.adapters());
    const name = this.o.adapter ?? names[0];
    if (!name || !names.includes(name))
      throw new IoError('absent', `BLE: no Bluetooth adapter${this.o.adapter ? ` named ${this.o.adapter}` : ''} (BlueZ lists ${names.join(', ') || 'none'})`);
    const adapter = await this.bounded('opening the adapter', bluetooth.getAdapter(name));
    if (run !== this.run) return;
    this.adapter = adapter;
    await this.poll(run);
    if (run === this.run) this.o.onScanning?.();
  }

  private async poll(run: number): Promise<void> {
    if (run !== this.run || !this.adapter) return;
    const adapter = this.adapter;
    if (!(await this.bounded('reading Discovering', adapter.isDiscovering()))) {
      if (run !== this.run) return;
      await this.bounded('StartDiscovery', adapter.startDiscovery());
      this.startedDiscovery = true;
    }
    for (const address of await this.bounded('listing devices', adapter.devices())) {
      if (run !== this.run) return;
      let device = this.devices.get(address);
      if (!device) this.devices.set(address, (device = await this.bounded(`opening ${address}`, adapter.getDevice(address))));
      const adv = await this.read(address, device);
      if (!adv || run !== this.run) continue;
      const key = JSON.stringify([
        adv.rssi,
        adv.name,
        Object.entries(adv.manufacturerData ?? {}).map(([k, v]) => k + hex(v)),
        Object.entries(adv.serviceData ?? {}).map(([k, v]) => k + hex(v)),
      ]);
      const before = this.seen.get(address);
      if (before !== undefined && (!this.o.duplicates || before === key)) continue;
      this.seen.set(address, key);
      this.o.onAdvertisement(adv);
    }
    if (run === this.run) this.timer = setTimeout(() => this.poll(run).catch((e: unknown) => this.fail(run, e)), this.o.pollMs ?? 1000);
  }

  /** The device's advertisement, or undefined when BlueZ has not heard it in this discovery. */
  private async read(address: string, d: NodeBleDevice): Promise<Advertisement | undefined> {
    const p = await this.properties(address, d);
    if (p.rssi === undefined || p.rssi === null || !Number.isFinite(Number(p.rssi))) return undefined;
    const adv: Advertisement = { address: address.toUpperCase(), rssi: Number(p.rssi) };
    if (typeof p.name === 'string' && p.name) adv.name = p.name;
    const mfr = bytesByKey(p.manufacturerData);
    if (mfr.length) adv.manufacturerData = Object.fromEntries(mfr.map(([k, v]) => [Number(k), v]));
    const svc = bytesByKey(p.serviceData);
    if (svc.length) adv.serviceData = Object.fromEntries(svc);
    return adv;
  }

  /**
   * RSSI, Name and data as one GetAll when node-ble offers it: BlueZ updates
   * them together, and separate Gets could straddle an update (the old RSSI
   * with the new data), reporting one advertisement twice. A property BlueZ
   * does not hold is undefined.
   */
  private async properties(address: string, d: NodeBleDevice): Promise<DeviceProperties> {
    const optional = <T>(p: Promise<T>) => this.bounded(`reading ${address}`, p).catch(() => undefined);
    if (d.helper) {
      const all = (await optional(d.helper.props())) ?? {};
      return { rssi: all.RSSI, name: all.Name, manufacturerData: unwrapped(all.ManufacturerData), serviceData: unwrapped(all.ServiceData) };
    }
    return {
      rssi: await optional(d.getRSSI()),
      name: await optional(d.getName()),
      manufacturerData: await optional(d.getManufacturerData()),
      serviceData: await optional(d.getServiceData()),
    };
  }

  /** Ends the current run: no more polls, discovery stopped if we started it, session closed. */
  private halt(): void {
    this.run++;
    clearTimeout(this.timer);
    const { session, adapter, startedDiscovery } = this;
    this.session = undefined;
    this.adapter = undefined;
    this.startedDiscovery = false;
    this.devices.clear();
    this.seen.clear();
    if (!session) return;
    if (adapter && startedDiscovery) {
      this.bounded('StopDiscovery', adapter.stopDiscovery())
        .catch(() => undefined)
        .finally(() => session.destroy());
    } else {
      session.destroy();
    }
  }

  stop(): void {
    assertOpen(this.closed, 'BLE scanner');
    this.halt();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.halt();
  }
}
