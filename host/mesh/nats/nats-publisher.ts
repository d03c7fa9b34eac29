import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { decodeCbor } from '../../../firmware/codec/cbor-decode.js';
import { toHex } from '../../../firmware/codec/text-encodings.js';
import { bundleFromValue } from '../../store/bundle-format.js';
import type { ChainPages } from './chain-pages.js';
import { chainSubject } from './mesh-stream.js';

/** The header naming the hub that published a page: its consumer skips its own (the broker is not trusted for more). */
export const ORIGIN_HEADER = 'Fazt-Origin';

export interface PublisherOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  prefix: string;
  hubId: string;
  pages: ChainPages;
  log: (record: Record<string, unknown>) => void;
  /** Retry delays after a failed publish: doubling from min to max (default 200 ms .. 10 s). */
  retryMs?: { min: number; max: number };
}

const PAGES_AT_ONCE = 64;

/**
 * Publishes every batch the hub accepted, one page (a one-checkpoint bundle)
 * per checkpoint, on the chain's subject with Nats-Msg-Id = the head's hex,
 * and waits for JetStream's PubAck before moving on. The outbox is the
 * cartridge itself (ChainPages): what is published is remembered per chain
 * as a seq, started from the newest page the stream holds for that chain, so
 * what was accepted while NATS was down (or the hub was off) goes out when
 * it is back. A failed publish is retried with backoff.
 */
export class NatsPublisher {
  private readonly cursor = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private everything = true;
  private fromStart = false;
  private flushing: Promise<void> | undefined;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private delay: number;
  private stopped = false;
  private down = false;

  constructor(private readonly o: PublisherOptions) {
    this.delay = o.retryMs?.min ?? 200;
  }

  /**
   * Every chain held is checked against the stream again: at start and after
   * a reconnect. `fromStart`: the stream was made anew (the server lost its
   * store), so every page is published again, not only those after its newest.
   */
  resync(fromStart = false): void {
    // Whatever backoff was running is over: the server answers.
    clearTimeout(this.retry);
    this.retry = undefined;
    this.delay = this.o.retryMs?.min ?? 200;
    this.cursor.clear();
    this.fromStart = fromStart;
    this.everything = true;
    this.kick();
  }

  /** A chain stored something: publish what is new. */
  notify(node: string): void {
    this.dirty.add(node);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.flushing;
  }

  private kick(): void {
    if (this.stopped || this.retry) return;
    if (this.flushing !== undefined) {
      this.again = true;
      return;
    }
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async flush(): Promise<void> {
    const nodes = this.everything ? this.o.pages.chains() : [...this.dirty];
    this.everything = false;
    this.dirty.clear();
    for (let i = 0; i < nodes.length; i++) {
      if (this.stopped) return;
      try {
        await this.publishChain(nodes[i]);
      } catch (e) {
        for (const n of nodes.slice(i)) this.dirty.add(n);
        this.backOff(e);
        return;
      }
    }
    if (this.down) this.o.log({ event: 'mesh-nats', state: 'publishing', message: 'NATS answers again: the outbox is published' });
    this.down = false;
    this.delay = this.o.retryMs?.min ?? 200;
  }

  private backOff(e: unknown): void {
    if (this.stopped) return;
    if (!this.down) this.o.log({ event: 'mesh-nats', state: 'unreachable', message: `publishing to NATS failed, retrying: ${(e as Error).message}` });
    this.down = true;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.kick();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.o.retryMs?.max ?? 10_000);
  }

  private async publishChain(node: string): Promise<void> {
    // Imported where used (already loaded by MeshNats), so the CLI's start never loads the NATS client.
    const { headers } = await import('@nats-io/transport-node');
    let after = this.cursor.get(node) ?? (this.fromStart ? 0 : await this.lastInStream(node));
    this.cursor.set(node, after);
    const subject = chainSubject(this.o.prefix, node);
    for (;;) {
      const pages = this.o.pages.after(node, after, PAGES_AT_ONCE);
      if (pages.length === 0) return;
      for (const p of pages) {
        const h = headers();
        h.set(ORIGIN_HEADER, this.o.hubId);
        await this.o.js.publish(subject, p.bundle, { msgID: toHex(p.head), headers: h });
        after = p.last;
        this.cursor.set(node, after);
      }
    }
  }

  /** Where the chain's publishing resumes, from the newest page on its subject (0 if none, ChainPages.resumeAfter otherwise). */
  private async lastInStream(node: string): Promise<number> {
    const m = await this.o.jsm.streams.getMessage(this.o.stream, { last_by_subj: chainSubject(this.o.prefix, node) });
    if (!m) return 0;
    try {
      const b = bundleFromValue(decodeCbor(m.data));
      const newest = b.checkpoints[b.checkpoints.length - 1];
      return newest ? this.o.pages.resumeAfter(node, b.last, newest.head) : 0;
    } catch {
      return 0; // not a page (a tampered message): publish from the start, the stream dedupes what it still holds
    }
  }
}
