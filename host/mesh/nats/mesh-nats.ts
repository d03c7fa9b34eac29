import type { NatsConnection } from '@nats-io/transport-node';
import { sourceNode } from '../../../firmware/event/envelope.js';
import type { Cartridge } from '../../store/cartridge.js';
import { MeshError } from '../mesh-error.js';
import type { MeshStore } from '../mesh-store.js';
import { ChainPages } from './chain-pages.js';
import { ensureMeshStream } from './mesh-stream.js';
import { NatsConsumer, type NatsRefusal } from './nats-consumer.js';
import { type MeshNatsOptions, type ResolvedNats, resolveMeshNats } from './nats-options.js';
import { NatsPublisher } from './nats-publisher.js';
import { SaidOnce } from './said-once.js';
import { MeshStoreSink } from './store-sink.js';

export interface MeshNatsParts {
  options: MeshNatsOptions;
  cartridge: Cartridge;
  hubId: string;
  /** The hub's mesh store (the one its native protocol uses): received pages go through its page-in. */
  mesh: MeshStore;
  log: (record: Record<string, unknown>) => void;
  onRefused?: (r: NatsRefusal) => void;
  /** Retry delays of connecting, publishing and pulling (default 500 ms doubling to 30 s). */
  retryMs?: { min: number; max: number };
}

interface Running {
  nc: NatsConnection;
  /** False from a disconnect to the next reconnect. */
  live: boolean;
  publisher: NatsPublisher;
  consumer: NatsConsumer;
  unsubscribe: () => void;
}

/**
 * Replication over NATS JetStream: the hub publishes each batch it accepts
 * to the mesh's stream and pulls every other hub's pages through its durable
 * consumer, verifying each before it is stored; the broker is never trusted.
 * A server that does not answer at start is tried again in the background
 * (the hub serves its nodes meanwhile; the outbox keeps what they send);
 * once connected, the client reconnects on its own. The NATS client is
 * imported when the hub first connects, so no other start pays for it.
 */
export class MeshNats {
  private running: Running | undefined;
  private retry: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private delay: number;
  private stopped = false;
  private readonly saidOnce = new SaidOnce();

  private constructor(
    private readonly p: MeshNatsParts,
    private readonly r: ResolvedNats,
  ) {
    this.delay = p.retryMs?.min ?? 500;
  }

  /**
   * Connects and starts both directions. Throws MeshError 'broker-auth' when
   * the server refuses the credentials (a configuration mistake, so the hub
   * does not start), the options' TypeError/RangeError, or what setting up
   * the stream fails with; an unreachable server is logged and tried again.
   */
  static async start(p: MeshNatsParts): Promise<MeshNats> {
    const m = new MeshNats(p, resolveMeshNats(p.options));
    try {
      await m.connectOnce();
    } catch (e) {
      if (!(e instanceof MeshError && e.code === 'unreachable')) throw e;
      m.later(e);
    }
    return m;
  }

  /** True once connected and both directions run. */
  get connected(): boolean {
    return this.running !== undefined;
  }

  /** Stops trying and pulling (the page in hand is settled first), closes the connection and with it any publish in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.attempt?.catch(() => {});
    const r = this.running;
    this.running = undefined;
    if (!r) return;
    r.unsubscribe();
    if (r.live) {
      // Connected: the page in hand is acknowledged and the publish in flight answered before the connection drains.
      await r.consumer.stop();
      await r.publisher.stop();
      await r.nc.drain().catch(() => r.nc.close());
      return;
    }
    // NATS down: closing ends the requests waiting for it; an unacknowledged page comes again and an unpublished one stays in the outbox.
    const stopped = Promise.all([r.consumer.stop(), r.publisher.stop()]);
    await r.nc.close();
    await stopped;
  }

  /**
   * A refusal as a log line. A chain this hub does not hold (a node no
   * trusted hub enrolled) or a hub it is not paired with is refused page after
   * page: that is said once per chain or hub, not once per page.
   */
  private logRefusal(x: NatsRefusal): void {
    let message = x.error.message;
    const once = x.error.code === 'unknown-node' ? x.subject : x.error.code === 'unpaired' ? `from ${x.from}` : undefined;
    if (once !== undefined) {
      if (!this.saidOnce.first(once)) return;
      message += ' (its further pages are refused without a line)';
    }
    this.p.log({ event: 'mesh-refusal', via: 'nats', from: x.from, subject: x.subject, code: x.error.code, message });
  }

  private later(e: MeshError): void {
    if (this.stopped) return;
    this.p.log({ event: 'mesh-nats', state: e.code, message: `${e.message}; trying again in ${this.delay} ms` });
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.attempt = this.connectOnce()
        .catch((x: unknown) => this.later(x instanceof MeshError ? x : new MeshError('unreachable', (x as Error).message, { cause: x })))
        .finally(() => (this.attempt = undefined));
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.p.retryMs?.max ?? 30_000);
  }

  /** Follows the connection: after each reconnect, the stream made again if the server lost it (then every page is published again) and the outbox checked against it. */
  private async watch(r: Running, created: string, ensureStream: () => Promise<string>): Promise<void> {
    let made = created;
    for await (const s of r.nc.status()) {
      if (s.type === 'disconnect') r.live = false;
      if (s.type !== 'reconnect') continue;
      r.live = true;
      try {
        const now = await ensureStream();
        r.publisher.resync(now !== made);
        made = now;
        r.consumer.reconnected();
      } catch (e) {
        this.p.log({ event: 'mesh-nats', state: 'stream', message: `the stream could not be checked after a reconnect: ${(e as Error).message}` });
        r.publisher.resync();
        r.consumer.reconnected();
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const { p, r } = this;
    const where = r.servers.join(',');
    const [{ jetstream, jetstreamManager }, { AuthorizationError, connect, nkeyAuthenticator, usernamePasswordAuthenticator }] = await Promise.all([
      import('@nats-io/jetstream'),
      import('@nats-io/transport-node'),
    ]);
    const c = r.credentials;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: r.servers,
        name: `fazt-hub-${p.hubId}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        ...(c ? { authenticator: 'seed' in c ? nkeyAuthenticator(c.seed) : usernamePasswordAuthenticator(c.user, c.password) } : {}),
      });
    } catch (e) {
      if (e instanceof AuthorizationError || /authoriz/i.test((e as Error).message))
        throw new MeshError('broker-auth', `NATS at ${where} refused ${r.as}: check --mesh-nats-user and the password file, or the nkey file`, { cause: e });
      throw new MeshError('unreachable', `NATS at ${where} did not answer: ${(e as Error).message}`, { cause: e });
    }
    try {
      if (this.stopped) throw new Error('stopped');
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      const created = await ensureMeshStream(jsm, r.stream, r.prefix);
      const common = { js, jsm, stream: r.stream, prefix: r.prefix, hubId: p.hubId, log: p.log, retryMs: p.retryMs };
      const publisher = new NatsPublisher({ ...common, pages: new ChainPages(p.cartridge) });
      const onRefused = p.onRefused ?? ((x: NatsRefusal) => this.logRefusal(x));
      const consumer = new NatsConsumer({ ...common, sink: new MeshStoreSink(p.mesh), onRefused });
      await consumer.start();
      const unsubscribe = p.cartridge.onStored((entries) => {
        for (const chain of new Set(entries.map((e) => sourceNode(e.source)))) publisher.notify(chain);
      });
      publisher.resync();
      const running: Running = { nc, live: true, publisher, consumer, unsubscribe };
      this.running = running;
      void this.watch(running, created, () => ensureMeshStream(jsm, r.stream, r.prefix));
      p.log({ event: 'mesh-nats', state: 'connected', message: `replicating through NATS at ${where} (stream ${r.stream}) as ${r.as}` });
    } catch (e) {
      await nc.close();
      throw e;
    }
  }
}
