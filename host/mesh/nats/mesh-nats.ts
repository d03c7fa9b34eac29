import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { AuthorizationError, connect, type NatsConnection } from '@nats-io/transport-node';
import type { CryptoProvider } from '../../../firmware/crypto/crypto-provider.js';
import { sourceNode } from '../../../firmware/event/envelope.js';
import type { Cartridge } from '../../store/cartridge.js';
import { MeshError } from '../mesh-error.js';
import { CartridgeSink } from './cartridge-sink.js';
import { ChainPages } from './chain-pages.js';
import { ensureMeshStream } from './mesh-stream.js';
import type { MeshSink } from './mesh-sink.js';
import { NatsConsumer, type NatsRefusal } from './nats-consumer.js';
import { type MeshNatsOptions, resolveMeshNats } from './nats-options.js';
import { NatsPublisher } from './nats-publisher.js';

export interface MeshNatsParts {
  options: MeshNatsOptions;
  cartridge: Cartridge;
  hubId: string;
  crypto: CryptoProvider;
  log: (record: Record<string, unknown>) => void;
  /** Where received pages go (default: the cartridge's verified ingest, CartridgeSink). */
  sink?: MeshSink;
  onRefused?: (r: NatsRefusal) => void;
  /** Retry delays of publishing and pulling (tests shorten them). */
  retryMs?: { min: number; max: number };
}

/**
 * Replication over NATS JetStream: the hub publishes each batch it accepts
 * to the mesh's stream and pulls every other hub's pages through its durable
 * consumer, verifying each before it is stored; the broker is never trusted.
 * The connection reconnects on its own for as long as the hub runs.
 */
export class MeshNats {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly publisher: NatsPublisher,
    private readonly consumer: NatsConsumer,
    private readonly unsubscribe: () => void,
  ) {}

  /** Connects, creates the stream if missing and starts both directions. Throws MeshError 'broker-auth' / 'unreachable', or the options' TypeError/RangeError. */
  static async start(p: MeshNatsParts): Promise<MeshNats> {
    const r = resolveMeshNats(p.options);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: r.servers,
        name: `fazt-hub-${p.hubId}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        ...(r.authenticator ? { authenticator: r.authenticator } : {}),
      });
    } catch (e) {
      const where = r.servers.join(',');
      if (e instanceof AuthorizationError || /authoriz/i.test((e as Error).message))
        throw new MeshError('broker-auth', `NATS at ${where} refused ${r.as}: check --mesh-nats-user and the password file, or the nkey file`, { cause: e });
      throw new MeshError('unreachable', `NATS at ${where} did not answer: ${(e as Error).message}`, { cause: e });
    }
    try {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      await ensureMeshStream(jsm, r.stream, r.prefix);
      const common = { js, jsm, stream: r.stream, prefix: r.prefix, hubId: p.hubId, log: p.log, retryMs: p.retryMs };
      const publisher = new NatsPublisher({ ...common, pages: new ChainPages(p.cartridge) });
      const onRefused =
        p.onRefused ??
        ((x: NatsRefusal) => p.log({ event: 'mesh-refusal', via: 'nats', from: x.from, subject: x.subject, code: x.error.code, message: x.error.message }));
      const consumer = new NatsConsumer({ ...common, sink: p.sink ?? new CartridgeSink(p.cartridge, p.crypto), onRefused });
      await consumer.start();
      const unsubscribe = p.cartridge.onStored((entries) => {
        const chains = new Set(entries.map((e) => sourceNode(e.source)));
        for (const c of chains) publisher.notify(c);
      });
      publisher.start();
      return new MeshNats(nc, publisher, consumer, unsubscribe);
    } catch (e) {
      await nc.close();
      throw e;
    }
  }

  /** Stops publishing and pulling, lets what is in hand settle, then closes the connection. */
  async stop(): Promise<void> {
    this.unsubscribe();
    await this.consumer.stop();
    await this.publisher.stop();
    await this.nc.drain().catch(() => this.nc.close());
  }
}
