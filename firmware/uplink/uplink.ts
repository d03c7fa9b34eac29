import { createBatch } from '../batch/batch.js';
import { fullBatchEncoder } from '../batch/batch-encoder.js';
import type { HubHead } from './transport.js';
import type { UplinkOptions } from './uplink-options.js';

export type { UplinkOptions } from './uplink-options.js';

/**
 * Sends the buffer to the hub: one signed batch at a time, when enough
 * entries wait or the oldest has waited long enough; on acknowledgement the
 * buffer lets go of everything up to the hub's ack (the highest contiguous
 * seq it stored), and on failure it retries with doubling backoff, sending
 * the same entries again (the hub is idempotent on (node, seq)).
 */
export class Uplink {
  private inFlight = false;
  private building = false;
  private timer: number | undefined;
  private backoff: number;
  private retryAt = 0;
  private stopped = true;
  private flushing = false;
  /** The highest seq the hub acknowledged since start (or, known from before it, options.ackedSeq). */
  private ackedSeq: number;
  readonly stats = { sent: 0, acked: 0, failures: 0, refusals: 0, bytes: 0, rewinds: 0 };

  constructor(private readonly o: UplinkOptions) {
    if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new RangeError(`batchSize must be an integer ≥ 1, got ${o.batchSize}`);
    if (!(o.maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be ≥ 0, got ${o.maxDelayMs}`);
    this.backoff = o.backoffMs?.initial ?? 1000;
    this.ackedSeq = o.ackedSeq ?? 0;
  }

  start(): void {
    this.stopped = false;
    this.poke();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.time.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A batch is on its way to the hub. */
  get busy(): boolean {
    return this.inFlight;
  }

  /** Sends what is buffered now, without waiting for batchSize or maxDelayMs (retry backoff still applies). */
  flush(): void {
    this.flushing = true;
    this.poke();
  }

  /** Something was added to the buffer: send now, or plan when to. */
  poke(): void {
    if (this.stopped || this.inFlight || this.building) return;
    const now = this.o.time.now();
    const b = this.o.buffer;
    if (b.count === 0) {
      this.flushing = false;
      return;
    }
    const oldest = b.oldestQueuedAt() as number;
    const at = b.count >= this.o.batchSize || this.flushing || this.o.eager?.() ? now : Math.max(now, oldest + this.o.maxDelayMs);
    const due = now < this.retryAt ? this.retryAt : at;
    if (due <= now) this.send();
    else this.plan(due - now);
  }

  private plan(ms: number): void {
    if (this.timer !== undefined) this.o.time.clearTimeout(this.timer);
    this.timer = this.o.time.setTimeout(() => {
      this.timer = undefined;
      this.poke();
    }, ms);
  }

  private send(): void {
    const b = this.o.buffer;
    this.building = true;
    let entries;
    let dropped;
    try {
      if (b.dropped) this.o.beforeGap?.(b.dropped);
      entries = b.peek(this.o.batchSize, this.o.maxBatchBytes ?? 200 * 1024);
      const gap = b.dropped;
      dropped = gap && entries[0].seq === gap.to + 1 ? gap : undefined;
    } finally {
      this.building = false;
    }
    // A flush lasts until what was buffered has gone, batch after batch (a batch holds at most batchSize).
    if (entries.length >= b.count) this.flushing = false;
    const batch = createBatch(entries, this.o.identity, this.o.crypto, dropped);
    const info = { first: entries[0].seq, last: entries[entries.length - 1].seq, bytes: 0 };
    try {
      this.o.onSigned?.({ from: dropped ? dropped.from : info.first, last: info.last, head: batch.head });
    } catch (e) {
      // Not sent unless it is persisted: the node must never sign another entry at a seq its hub may hold.
      this.stats.failures++;
      this.retryAt = this.o.time.now() + this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.o.backoffMs?.max ?? 60_000);
      this.o.onResult?.({ ok: false, refused: false, message: `the chain head could not be persisted: ${(e as Error).message}` }, info);
      this.o.time.setTimeout(() => this.poke(), 0);
      return;
    }
    const encoder = this.o.encoder ?? fullBatchEncoder;
    const bytes = encoder.encode(batch);
    info.bytes = bytes.length;
    this.inFlight = true;
    this.stats.sent++;
    this.stats.bytes += bytes.length;
    const sentAt = this.o.time.now();
    this.o.transport.send(bytes, (result) => {
      const receivedAt = this.o.time.now();
      // Still in flight while the hooks run, so an event they record does not
      // start a send from inside this callback (the poke below sends it).
      try {
        if (result.ok) {
          encoder.accepted?.();
          this.stats.acked++;
          b.ack(result.ack.ack);
          if (result.ack.ack > this.ackedSeq) this.ackedSeq = result.ack.ack;
          this.backoff = this.o.backoffMs?.initial ?? 1000;
          this.retryAt = 0;
          this.o.onAck?.(result.ack, { sentAt, receivedAt, head: batch.head });
        } else {
          if (result.refused) this.stats.refusals++;
          else this.stats.failures++;
          if (result.refused && encoder.refused?.(result.code)) {
            // The encoder changed what it sends (a compact batch's dictionary goes whole): at once.
            this.retryAt = receivedAt;
          } else if (result.refused && result.code === 'chain-broken' && result.head && this.o.onFork?.(result.head, batch.head)) {
            // The node continues the chain the hub holds (it had lost its own head): at once.
            this.retryAt = receivedAt;
          } else if (result.refused && result.code === 'gap' && result.head && this.rewind(result.head, dropped)) {
            // The hub lost what it had acknowledged: the next batch signs for it, at once.
            this.retryAt = receivedAt;
          } else if (!result.refused && result.retryAfterMs !== undefined) {
            // The transport knows when: the way to the hub is open again, so the backoff starts over.
            this.retryAt = receivedAt + result.retryAfterMs;
            this.backoff = this.o.backoffMs?.initial ?? 1000;
          } else {
            this.retryAt = receivedAt + this.backoff;
            this.backoff = Math.min(this.backoff * 2, this.o.backoffMs?.max ?? 60_000);
          }
        }
        this.o.onResult?.(result, info);
      } finally {
        this.inFlight = false;
        // Continue from a fresh stack: a transport may answer synchronously, and a
        // backfill of thousands of batches must not nest (XS's stack is small).
        this.o.time.setTimeout(() => this.poke(), 0);
      }
    });
  }

  /**
   * After a `gap` refusal naming the head the hub holds: when that head is behind what
   * this hub acknowledged (never otherwise: a head ahead of the node, or one inside what
   * the buffer holds, is not a lost hub), the seqs between it and the oldest one held are
   * declared dropped. Once per refusal, and not again for the range the refused batch
   * already declared: a hub that refuses that too keeps its refusal, with backoff.
   */
  private rewind(head: HubHead, sent: { from: number; to: number } | undefined): boolean {
    const first = this.o.buffer.firstSeq;
    if (first === undefined || !(head.seq < this.ackedSeq && head.seq + 1 < first)) return false;
    if (sent && sent.from <= head.seq + 1) return false;
    const r = this.o.buffer.rewind(head.seq + 1);
    this.stats.rewinds++;
    this.o.onRewind?.({ hubSeq: head.seq, ackedSeq: this.ackedSeq, from: r.from, to: r.to });
    return true;
  }
}
