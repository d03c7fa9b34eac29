import { isValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { sourceNode } from '../../firmware/event/envelope.js';
import type { Timers } from '../../hal/contracts/time.js';
import { faztVersion } from '../fazt-version.js';
import type { HubLog } from '../hub/hub-log.js';
import { NodePresence } from '../hub/node-presence.js';
import type { Cartridge } from '../store/cartridge.js';
import { READING_TYPE } from '../store/event-rows.js';
import type { BatchOrigin } from '../store/ingest.js';
import { handleHaCommand } from './ha-command.js';
import { hubBleComponent } from '../ble/ble-mac.js';
import { BLE_SENSOR, HaDevices } from './ha-devices.js';
import { componentKey, HaTopics, hubDiscovery, isOutputReading, type NodeDevice, nodeDiscovery, type Origin, outputChannel } from './ha-discovery.js';
import { haSensorKind } from './ha-units.js';
import { MqttLink } from './mqtt-link.js';
import { type MqttOptions, type ResolvedMqtt, resolveMqtt } from './mqtt-options.js';

export interface HaBridgeParts {
  options: MqttOptions;
  cartridge: Cartridge;
  hubLog: HubLog;
  clock: () => number;
  /** The presence check's and forgetting's timers (a virtual clock's in tests); reconnecting waits on real time. */
  timers: Timers;
  /** When a node counts as offline (NodePresence's silentAfterMs). */
  silentAfterMs: number;
  log: (record: Record<string, unknown>) => void;
}

/**
 * Home Assistant over MQTT: every reading the hub stores is published as
 * retained state JSON on `<root>/<node>/<sensor>/<name>`; each node is a
 * device in HA's device-based discovery (ha-discovery.ts), the hub one too,
 * and each of the hub's BLE devices one shown through the hub (bleEvent);
 * availability follows NodePresence; commands from HA on
 * `<root>/<node>/<output>/set` become signed downlink commands
 * (ha-command.ts) and the output's state comes only from the node's
 * effect.applied. Never blocks or fails ingest: while the broker is away
 * nothing is queued (the latest states are kept and sent on reconnect;
 * the connection itself is mqtt-link.ts).
 */
export class HaBridge {
  private readonly r: ResolvedMqtt;
  private readonly t: HaTopics;
  private readonly devices: HaDevices;
  private readonly presence: NodePresence;
  private readonly origin: Origin;
  /** The latest state payload per state topic, sent again after a reconnect. */
  private readonly states = new Map<string, string>();
  private readonly offline = new Set<string>();
  private readonly link: MqttLink;
  private forgetTimer: number | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly p: HaBridgeParts,
    private readonly hubId: string,
  ) {
    this.r = resolveMqtt(p.options);
    this.t = new HaTopics(this.r.root, this.r.haPrefix);
    this.devices = new HaDevices(p.cartridge);
    this.origin = { name: 'fazt', sw: faztVersion() };
    this.link = new MqttLink({
      options: this.r,
      clientId: `fazt-${hubId.slice(0, 16)}`,
      will: { topic: this.t.availability(hubId), payload: 'offline' },
      topics: [this.t.status, this.t.commands],
      onConnect: () => this.announceAll(),
      onMessage: (topic, payload, retained) => this.message(topic, payload, retained),
      log: p.log,
    });
    this.presence = new NodePresence({
      cartridge: p.cartridge,
      silentAfterMs: p.silentAfterMs,
      clock: p.clock,
      timers: p.timers,
      log: (rec) => this.presenceChanged(String(rec.code), String(rec.node)),
    });
  }

  /** Reads the nodes, listens to commits and connects (an unreachable broker is tried again in the background). */
  async start(): Promise<void> {
    this.devices.load(this.p.clock());
    for (const c of this.devices.loadBle(this.hubId, this.p.clock())) this.offline.add(c);
    this.unsubscribe = this.p.cartridge.onStored((entries, _at, origin) => this.stored(entries, origin));
    this.presence.start();
    this.planForget();
    await this.link.start();
  }

  /** True while connected to the broker. */
  get isConnected(): boolean {
    return this.link.connected;
  }

  /** Says offline, disconnects and stops listening. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.presence.stop();
    if (this.forgetTimer !== undefined) this.p.timers.clearTimeout(this.forgetTimer);
    await this.link.stop({ topic: this.t.availability(this.hubId), payload: 'offline' });
  }

  /** Discovery for the hub and every node, their availability and the latest states (on connect and HA's birth). */
  private announceAll(): void {
    this.publish(this.t.availability(this.hubId), 'online');
    this.publish(this.t.config(this.hubId), JSON.stringify(hubDiscovery(this.t, this.hubId, this.origin)));
    for (const d of this.devices.byId.values()) {
      this.announce(d);
      this.publish(this.t.availability(d.id), this.offline.has(d.id) ? 'offline' : 'online');
    }
    for (const [topic, payload] of this.states) this.publish(topic, payload);
  }

  /** The node's discovery; components being removed go once with only their platform, then a document without them (HA's documented order). */
  private announce(d: NodeDevice): void {
    const removing = d.removing.size > 0;
    this.publish(this.t.config(d.id), this.document(d));
    d.removing.clear();
    if (removing) this.publish(this.t.config(d.id), this.document(d));
  }

  /** The node's discovery document; none (the empty payload that removes a device) while it has nothing to show. */
  private document(d: NodeDevice): string {
    const doc = nodeDiscovery(this.t, this.hubId, this.origin, d);
    return Object.keys(doc.cmps as object).length ? JSON.stringify(doc) : '';
  }

  private message(topic: string, payload: Buffer, retained: boolean): void {
    try {
      if (topic === this.t.status) {
        if (payload.toString('utf8').trim() === 'online') this.announceAll();
        return;
      }
      const { cartridge, hubLog, clock, log } = this.p;
      handleHaCommand({ cartridge, hubLog, root: this.r.root, clock, commandTtlMs: this.r.commandTtlMs, log }, topic, payload, retained);
    } catch (e) {
      this.p.log({ level: 'error', code: 'mqtt-message', topic, reason: (e as Error)?.message ?? String(e) });
    }
  }

  private stored(entries: readonly EventEntry[], origin: BatchOrigin): void {
    if (origin === 'mesh') return; // a paired hub's nodes are its own to show
    try {
      const now = this.p.clock();
      const changed = new Set<NodeDevice>();
      for (const e of entries) {
        const node = sourceNode(e.source);
        if (node === this.hubId) this.hubEvent(e, now, changed);
        else if (e.type === READING_TYPE) this.reading(node, e, now, changed);
        else if (e.type === 'system.boot') {
          const d = this.devices.device(node);
          if (d) {
            this.devices.boot(d, e.data);
            changed.add(d);
          }
        } else if (e.type === 'effect.applied') this.applied(node, e);
      }
      for (const d of changed) this.announce(d);
    } catch (e) {
      this.p.log({ level: 'error', code: 'mqtt-bridge', reason: (e as Error)?.message ?? String(e) });
    }
  }

  private reading(node: string, e: EventEntry, now: number, changed: Set<NodeDevice>): void {
    if (!this.p.cartridge.hasNode(node)) return;
    const d = this.devices.device(node);
    if (!d) return;
    if (this.devices.reading(d, e, now)) changed.add(d);
    const data = e.data;
    if (!isValueMap(data)) return;
    const sensor = e.source.slice(e.source.indexOf('/') + 1);
    const state: Record<string, unknown> = { value: data.value, quality: data.quality, time: e.time };
    const kind = haSensorKind(String(data.name), typeof data.unit === 'string' ? data.unit : undefined, data.value);
    if (kind.unit !== undefined) state.unit = kind.unit;
    if (d.readings.has(componentKey(sensor, String(data.name))) || isOutputReading(d.outputs, sensor, String(data.name)))
      this.state(this.t.state(node, sensor, String(data.name)), JSON.stringify(state));
  }

  /** The node-signed read-back of a command: the output's state (the one source of it besides the output's readings). */
  private applied(node: string, e: EventEntry): void {
    const d = this.devices.byId.get(node);
    const data = e.data;
    if (!d || !isValueMap(data) || typeof data.output !== 'string' || typeof data.value !== 'boolean') return;
    const o = d.outputs.find((x) => x.name === data.output);
    if (!o) return;
    this.state(this.t.state(node, o.name, outputChannel(o)), JSON.stringify({ value: data.value, quality: 'good', time: e.time }));
  }

  /**
   * A reading of one of the hub's BLE devices: its state, as a node's, on
   * `<root>/ble-<mac>/bthome/<name>`; its sensor's lifecycle is its
   * availability (unplugged: absent, offline).
   */
  private bleEvent(component: string, e: EventEntry, now: number, changed: Set<NodeDevice>): void {
    const data = e.data;
    if (!isValueMap(data)) return;
    if (e.type === 'system.ble.added') {
      const d = this.devices.bleDevice(component, typeof data.name === 'string' ? data.name : undefined);
      this.devices.gone.delete(component);
      this.offline.delete(component);
      changed.add(d);
      return;
    }
    if (e.type === 'system.ble.removed') return this.remove(component);
    if (this.devices.gone.has(component)) return;
    const d = this.devices.byId.get(component);
    if (!d) return;
    if (e.type === 'sensor.state' && typeof data.to === 'string') {
      if (data.to === 'unplugged') this.offline.add(component);
      else this.offline.delete(component);
      this.publish(this.t.availability(component), this.offline.has(component) ? 'offline' : 'online');
      return;
    }
    if (e.type !== READING_TYPE || typeof data.name !== 'string') return;
    if (this.devices.reading(d, e, now, BLE_SENSOR)) changed.add(d);
    if (!d.readings.has(componentKey(BLE_SENSOR, data.name))) return;
    const state: Record<string, unknown> = { value: data.value, quality: data.quality, time: e.time };
    const kind = haSensorKind(data.name, typeof data.unit === 'string' ? data.unit : undefined, data.value);
    if (kind.unit !== undefined) state.unit = kind.unit;
    this.state(this.t.state(component, BLE_SENSOR, data.name), JSON.stringify(state));
  }

  /** A device leaves HA: offline, its retained states forgotten, an empty retained config. */
  private remove(id: string): void {
    this.devices.gone.add(id);
    const d = this.devices.byId.get(id);
    if (!d) return;
    this.devices.byId.delete(d.id);
    for (const topic of [...this.states.keys()]) if (topic.startsWith(`${this.r.root}/${d.id}/`)) this.states.delete(topic);
    this.publish(this.t.availability(d.id), 'offline');
    this.publish(this.t.config(d.id), '');
  }

  /** The hub's own events: its BLE devices' (bleEvent); a node retired or revoked leaves HA (empty retained config), a rename or enrolment is shown. */
  private hubEvent(e: EventEntry, now: number, changed: Set<NodeDevice>): void {
    const ble = hubBleComponent(e.source, this.hubId);
    if (ble !== undefined) return this.bleEvent(ble, e, now, changed);
    const data = e.data;
    if (!isValueMap(data) || typeof data.node !== 'string') return;
    if (e.type === 'system.node.retired' || e.type === 'system.node.revoked') this.remove(data.node);
    else if (e.type === 'system.node.renamed' || e.type === 'system.node.enrolled') {
      const d = this.devices.byId.get(data.node);
      if (d && typeof data.name === 'string') {
        d.name = data.name;
        this.announce(d);
      }
    }
  }

  private presenceChanged(code: string, node: string): void {
    if (code === 'node-silent') this.offline.add(node);
    else if (code === 'node-back' || code === 'node-first-seen') this.offline.delete(node);
    else return;
    if (this.devices.byId.has(node)) this.publish(this.t.availability(node), this.offline.has(node) ? 'offline' : 'online');
  }

  private planForget(): void {
    const every = Math.max(1000, Math.min(3_600_000, Math.floor(this.r.forgetAfterMs / 4)));
    this.forgetTimer = this.p.timers.setTimeout(() => {
      const platform = (d: NodeDevice, key: string) => {
        const r = d.readings.get(key);
        return r ? haSensorKind(r.name, r.unit, r.sample).platform : 'sensor';
      };
      for (const d of this.devices.forget(this.p.clock(), this.r.forgetAfterMs, platform)) this.announce(d);
      this.planForget();
    }, every);
  }

  private state(topic: string, payload: string): void {
    this.states.set(topic, payload);
    this.publish(topic, payload);
  }

  private publish(topic: string, payload: string): void {
    this.link.publish(topic, payload);
  }
}
