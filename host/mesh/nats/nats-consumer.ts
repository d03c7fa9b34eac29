import type { Consumer, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { MeshError } from '../mesh-error.js';
import type { MeshSink } from './mesh-sink.js';
import { ORIGIN_HEADER } from './nats-publisher.js';

/** A refused page, as reported: which chain's subject, who published it, why. */
export interface NatsRefusal {
  subject: string;
  from: string;
  streamSeq: number;
  error: MeshError;
}

export interface ConsumerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  prefix: string;
  hubId: string;
  sink: MeshSink;
  onRefused: (r: NatsRefusal) => void;
  log: (record: Record<string, unknown>) => void;
  /** Pages per fetch (default 64) and how long one fetch waits for them (default 2 s). */
  batch?: number;
  expiresMs?: number;
  /** Delays after a failed fetch: doubling from min to max (default 200 ms .. 10 s). */
  retryMs?: { min: number; max: number };
  /** Deliveries a page that may store later (ApplyResult.wait) gets before it is refused (default 10: about 4 minutes of backoff). */
  waitDeliveries?: number;
}

/** The delay before a page is delivered again: 1 s doubling per delivery, at most a minute. */
function backoff(deliveryCount: number): number {
  return Math.min(1000 * 2 ** Math.min(deliveryCount - 1, 6), 60_000);
}

/** The durable pull consumer's name: one per hub, so a hub resumes where it stopped. */
export function consumerName(hubId: string): string {
  return `fazt-hub-${hubId}`;
}

/**
 * Pulls every chain's pages from the mesh's stream through one durable
 * consumer per hub, in bounded batches; skips the pages this hub published;
 * hands each other page to the sink and acknowledges it only after the sink
 * has committed. A refused page is terminated (never redelivered) and
 * reported; a sink fault is nak'ed, so the page comes again. A page that may
 * store later (a node whose enrolment is still to come) is nak'ed with backoff
 * and said once per chain, then refused after `waitDeliveries`. Redelivery
 * after a crash is harmless: the store is idempotent on (node, seq).
 */
export class NatsConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private current: ConsumerMessages | undefined;
  private wake: (() => void) | undefined;
  private delay: number;
  /** Chains with a page waiting (said once each, until one of its pages stores). */
  private readonly waiting = new Set<string>();

  constructor(private readonly o: ConsumerOptions) {
    this.delay = o.retryMs?.min ?? 200;
  }

  /** Creates the durable consumer if missing, then pulls in the background until stop(). */
  async start(): Promise<void> {
    const consumer = await this.durable();
    this.running = true;
    this.loop = this.pull(consumer);
  }

  /** The hub's durable consumer, made if missing (adding it again with the same config is a no-op on the server). */
  private async durable(): Promise<Consumer> {
    const name = consumerName(this.o.hubId);
    // Imported where used (already loaded by MeshNats), so the CLI's start never loads the NATS client.
    const [{ AckPolicy, DeliverPolicy }, { nanos }] = await Promise.all([import('@nats-io/jetstream'), import('@nats-io/transport-node')]);
    await this.o.jsm.consumers.add(this.o.stream, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${this.o.prefix}.>`,
      ack_wait: nanos(30_000),
      max_ack_pending: 1000,
    });
    return this.o.js.consumers.get(this.o.stream, name);
  }

  /** The connection is back: a pull waiting out its backoff starts again now. */
  reconnected(): void {
    this.delay = this.o.retryMs?.min ?? 200;
    this.wake?.();
  }

  /** Stops pulling once the page in hand is settled. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.current?.close();
    await this.loop;
  }

  private async pull(first: Consumer): Promise<void> {
    let consumer: Consumer | undefined = first;
    while (this.running) {
      try {
        // After a failure the consumer is looked up (or made) again: the server may have lost it.
        consumer ??= await this.durable();
        this.current = await consumer.fetch({ max_messages: this.o.batch ?? 64, expires: this.o.expiresMs ?? 2000 });
        for await (const m of this.current) {
          await this.handle(m);
          if (!this.running) break;
        }
        this.delay = this.o.retryMs?.min ?? 200;
      } catch (e) {
        if (!this.running) break;
        consumer = undefined;
        this.o.log({ event: 'mesh-nats', state: 'unreachable', message: `pulling from NATS failed, retrying: ${(e as Error).message}` });
        await new Promise<void>((ok) => {
          const t = setTimeout(ok, this.delay);
          this.wake = () => {
            clearTimeout(t);
            ok();
          };
        });
        this.delay = Math.min(this.delay * 2, this.o.retryMs?.max ?? 10_000);
      } finally {
        this.current = undefined;
      }
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const from = m.headers?.get(ORIGIN_HEADER) || 'unknown';
    if (from === this.o.hubId) {
      m.ack();
      return;
    }
    const node = m.subject.slice(this.o.prefix.length + 1);
    let result: Awaited<ReturnType<MeshSink['apply']>>;
    try {
      result = await this.o.sink.apply(m.data, from, node);
    } catch (e) {
      this.o.log({ event: 'mesh-nats', state: 'retry', message: `storing page ${m.seq} of ${m.subject} failed, it comes again: ${(e as Error).message}` });
      // Backs off per delivery: a page waiting for the one before it, or a store fault, does not spin.
      m.nak(backoff(m.info.deliveryCount));
      return;
    }
    if (result.ok) {
      this.waiting.delete(m.subject);
      await m.ackAck();
      return;
    }
    if (result.wait && m.info.deliveryCount < (this.o.waitDeliveries ?? 10)) {
      if (!this.waiting.has(m.subject)) {
        this.waiting.add(m.subject);
        this.o.log({ event: 'mesh-nats', state: 'waiting', subject: m.subject, from, message: `${result.error.message}; its pages wait for it` });
      }
      m.nak(backoff(m.info.deliveryCount));
      return;
    }
    // No reason text: nats-server 2.9 takes a bare +TERM only (it ignores "+TERM reason", so the page would come again).
    m.term();
    this.o.onRefused({ subject: m.subject, from, streamSeq: m.seq, error: result.error });
  }
}
