import type { IClientOptions, MqttClient } from 'mqtt';
import { systemTimers } from '../time/system-timers.js';
import type { ResolvedMqtt } from './mqtt-options.js';

const RETAINED = { qos: 1, retain: true } as const;

export interface MqttLinkParts {
  options: ResolvedMqtt;
  clientId: string;
  /** The last will: published retained by the broker if the link drops without saying goodbye. */
  will: { topic: string; payload: string };
  /** Subscribed again on every connect (the session is clean). */
  topics: string[];
  onConnect: () => void;
  onMessage: (topic: string, payload: Buffer, retained: boolean) => void;
  log: (record: Record<string, unknown>) => void;
}

/**
 * One connection to the broker that never blocks its caller: publish() is
 * retained QoS 1 while connected and a no-op otherwise (nothing queues up
 * while the broker is away; onConnect is where the caller sends its current
 * picture again). A lost or refused connection is tried again after a
 * delay doubling from retryMs.min to retryMs.max, on real time; each
 * warning is said once per outage, and never shows the password. The mqtt
 * package is imported by start(), so a hub without --mqtt never loads it.
 */
export class MqttLink {
  private client: MqttClient | undefined;
  private retry: number | undefined;
  private delay: number;
  private stopped = false;
  private readonly wall = systemTimers();
  private readonly said = new Set<string>();

  constructor(private readonly p: MqttLinkParts) {
    this.delay = p.options.retryMs.min;
  }

  async start(): Promise<void> {
    const { connect } = await import('mqtt');
    if (this.stopped) return;
    const r = this.p.options;
    const o: IClientOptions = {
      clientId: this.p.clientId,
      clean: true,
      reconnectPeriod: 0, // reconnecting is ours, with backoff
      connectTimeout: 10_000,
      queueQoSZero: false,
      will: { topic: this.p.will.topic, payload: Buffer.from(this.p.will.payload), qos: 1, retain: true },
    };
    if (r.user !== undefined) {
      o.username = r.user;
      o.password = r.password;
    }
    const client = connect(r.url, o);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.closed());
    client.on('error', (e) => {
      // CONNACK 4/5 (MQTT 3.1.1) and 134/135 (MQTT 5): the credentials, said as such; still retried (the broker's may be fixed).
      const code = (e as { code?: unknown }).code;
      if (code === 4 || code === 5 || code === 134 || code === 135) this.warnOnce('mqtt-auth', `the broker refused ${this.as} (${e.message})`, 'error');
      else this.warnOnce('mqtt-error', e.message);
    });
    client.on('message', (topic, payload, packet) => this.p.onMessage(topic, payload, packet.retain));
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Retained, QoS 1, when connected; dropped otherwise. */
  publish(topic: string, payload: string): void {
    const c = this.client;
    if (!c?.connected) return;
    c.publish(topic, payload, RETAINED, (e) => {
      if (e) this.p.log({ level: 'warn', code: 'mqtt-publish', topic, message: e.message });
    });
  }

  /** Publishes `last` (the will's goodbye) if connected, then disconnects and stops retrying. */
  async stop(last?: { topic: string; payload: string }): Promise<void> {
    this.stopped = true;
    if (this.retry !== undefined) this.wall.clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    if (c.connected && last) await c.publishAsync(last.topic, last.payload, RETAINED).catch(() => undefined);
    await c.endAsync(!c.connected);
  }

  /** Who the link connects as, for messages: never the password. */
  private get as(): string {
    const u = this.p.options.user;
    return u === undefined ? 'an anonymous client' : `user '${u}'`;
  }

  private warnOnce(code: string, message: string, level = 'warn'): void {
    if (this.said.has(`${code} ${message}`)) return;
    this.said.add(`${code} ${message}`);
    this.p.log({ level, code, url: this.p.options.url, message });
  }

  private onConnect(): void {
    this.delay = this.p.options.retryMs.min;
    this.said.clear();
    this.p.log({ code: 'mqtt-connected', url: this.p.options.url, as: this.as });
    this.client?.subscribe(this.p.topics, { qos: 1 }, (e) => {
      if (e) this.p.log({ level: 'warn', code: 'mqtt-error', url: this.p.options.url, message: `subscribe: ${e.message}` });
    });
    this.p.onConnect();
  }

  private closed(): void {
    if (this.stopped || this.retry !== undefined) return;
    this.warnOnce('mqtt-disconnected', 'the broker is away; reconnecting with backoff');
    this.retry = this.wall.setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) this.client?.reconnect();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.p.options.retryMs.max);
  }
}
