import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { isValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { sourceNode } from '../../firmware/event/envelope.js';
import type { Timers } from '../../hal/contracts/time.js';
import { faztVersion } from '../fazt-version.js';
import type { HubLog } from '../hub/hub-log.js';
import { NodePresence } from '../hub/node-presence.js';
import type { Cartridge } from '../store/cartridge.js';
import { READING_TYPE } from '../store/event-rows.js';
import { systemTimers } from '../time/system-timers.js';
import type { BatchOrigin } from '../store/ingest.js';
import { handleHaCommand } from './ha-command.js';
import { HaDevices } from './ha-devices.js';
import { componentKey, HaTopics, hubDiscovery, isOutputReading, type NodeDevice, nodeDiscovery, type Origin, outputChannel } from './ha-discovery.js';
import { haSensorKind } from './ha-units.js';
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

const RETAINED = { qos: 1, retain: true } as const;

/**
 * Home Assistant over MQTT: every reading the hub stores is published as
 * retained state JSON on `<root>/<node>/<sensor>/<name>`; each node is a
 * device in HA's device-based discovery (ha-discovery.ts), the hub one too;
 * availability follows NodePresence; commands from HA on
 * `<root>/<node>/<output>/set` become signed downlink commands
 * (ha-command.ts) and the output's state comes only from the node's
 * effect.applied. Never blocks or fails ingest: while the broker is away
 * nothing is queued (the latest states are kept and sent on reconnect) and
 * the client reconnects with a doubling delay.
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
  private client: MqttClient | undefined;
  private retry: number | undefined;
  private forgetTimer: number | undefined;
  private delay: number;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private readonly wall = systemTimers();
  private readonly said = new Set<string>();

  constructor(
    private readonly p: HaBridgeParts,
    private readonly hubId: string,
  ) {
    this.r = resolveMqtt(p.options);
    this.delay = this.r.retryMs.min;
    this.t = new HaTopics(this.r.root, this.r.haPrefix);
    this.devices = new HaDevices(p.cartridge);
    this.origin = { name: 'fazt', sw: faztVersion() };
    this.presence = new NodePresence({
      cartridge: p.cartridge,
      silentAfterMs: p.silentAfterMs,
      clock: p.clock,
      timers: p.timers,
      log: (rec) => this.presenceChanged(String(rec.code), String(rec.node)),
    });
  }

  /** Reads the nodes, listens to commits and connects (an unreachable broker is tried again in the background). */
  start(): void {
    this.devices.load(this.p.clock());
    this.unsubscribe = this.p.cartridge.onStored((entries, _at, origin) => this.stored(entries, origin));
    this.presence.start();
    this.planForget();
    const o: IClientOptions = {
      clientId: `fazt-${this.hubId.slice(0, 16)}`,
      clean: true,
      reconnectPeriod: 0, // the bridge reconnects itself, with backoff
      connectTimeout: 10_000,
      queueQoSZero: false,
      will: { topic: this.t.availability(this.hubId), payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    if (this.r.user !== undefined) {
      o.username = this.r.user;
      o.password = this.r.password;
    }
    const client = mqtt.connect(this.r.url, o);
    this.client = client;
    client.on('connect', () => this.connected());
    client.on('close', () => this.closed());
    client.on('error', (e) => {
      // CONNACK 4 (bad user name or password) and 5 (not authorised): the configuration, said as such; still retried (the broker's may be fixed).
      const code = (e as { code?: unknown }).code;
      if (code === 4 || code === 5 || code === 134 || code === 135) this.warnOnce('mqtt-auth', `the broker refused ${this.as} (${e.message})`, 'error');
      else this.warnOnce('mqtt-error', e.message);
    });
    client.on('message', (topic, payload, packet) => this.message(topic, payload, packet.retain));
  }

  /** True while connected to the broker. */
  get isConnected(): boolean {
    return this.client?.connected === true;
  }

  /** Says offline, disconnects and stops listening. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.presence.stop();
    if (this.retry !== undefined) this.wall.clearTimeout(this.retry);
    if (this.forgetTimer !== undefined) this.p.timers.clearTimeout(this.forgetTimer);
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    if (c.connected) await c.publishAsync(this.t.availability(this.hubId), 'offline', RETAINED).catch(() => undefined);
    await c.endAsync(!c.connected);
  }

  /** A warning said once per outage (a broker away for a day is one line, not one per retry). */
  private warnOnce(code: string, message: string, level = 'warn'): void {
    if (this.said.has(`${code} ${message}`)) return;
    this.said.add(`${code} ${message}`);
    this.p.log({ level, code, url: this.r.url, message });
  }

  /** Who the bridge connects as, for messages: never the password. */
  private get as(): string {
    return this.r.user === undefined ? 'an anonymous client' : `user '${this.r.user}'`;
  }

  private connected(): void {
    this.delay = this.r.retryMs.min;
    this.said.clear();
    this.p.log({ code: 'mqtt-connected', url: this.r.url, as: this.as });
    const c = this.client;
    if (!c) return;
    c.subscribe([this.t.status, this.t.commands], { qos: 1 }, (e) => {
      if (e) this.p.log({ level: 'warn', code: 'mqtt-error', url: this.r.url, message: `subscribe: ${e.message}` });
    });
    this.announceAll();
  }

  private closed(): void {
    if (this.stopped || this.retry !== undefined) return;
    this.warnOnce('mqtt-disconnected', 'the broker is away; reconnecting with backoff');
    this.retry = this.wall.setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) this.client?.reconnect();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.r.retryMs.max);
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
        if (node === this.hubId) this.hubEvent(e);
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

  /** The hub's own events: a node retired or revoked leaves HA (empty retained config), a rename or enrolment is shown. */
  private hubEvent(e: EventEntry): void {
    const data = e.data;
    if (!isValueMap(data) || typeof data.node !== 'string') return;
    if (e.type === 'system.node.retired' || e.type === 'system.node.revoked') {
      this.devices.gone.add(data.node);
      const d = this.devices.byId.get(data.node);
      if (!d) return;
      this.devices.byId.delete(d.id);
      for (const topic of [...this.states.keys()]) if (topic.startsWith(`${this.r.root}/${d.id}/`)) this.states.delete(topic);
      this.publish(this.t.availability(d.id), 'offline');
      this.publish(this.t.config(d.id), '');
    } else if (e.type === 'system.node.renamed' || e.type === 'system.node.enrolled') {
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

  /** Publishes retained when connected; otherwise drops it (announceAll sends the current picture on reconnect). */
  private publish(topic: string, payload: string): void {
    const c = this.client;
    if (!c?.connected) return;
    c.publish(topic, payload, RETAINED, (e) => {
      if (e) this.p.log({ level: 'warn', code: 'mqtt-publish', topic, message: e.message });
    });
  }
}
