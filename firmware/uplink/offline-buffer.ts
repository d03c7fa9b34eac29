import type { EventEntry } from '../event/envelope.js';

/**
 * The node's unsent events, oldest first, within a fixed byte budget (the
 * encoded size of each entry). When a new entry does not fit, the oldest are
 * dropped and the range is returned, so the caller records a
 * system.buffer.overflow event and the next batch signs the gap: a loss is
 * never silent. Entries leave when the hub acknowledges them.
 */
export interface DroppedRange {
  from: number;
  to: number;
  count: number;
}

export class OfflineBuffer {
  private entries: { e: EventEntry; size: number; at: number }[] = [];
  private head = 0; // index of the oldest live entry (compacted lazily)
  private used = 0;
  /** Seqs dropped and not yet covered by an acknowledged batch. */
  private gap: { from: number; to: number } | undefined;
  readonly stats = { dropped: 0, overflows: 0 };

  constructor(readonly budgetBytes: number) {
    if (!(Number.isInteger(budgetBytes) && budgetBytes >= 1024)) throw new RangeError(`budgetBytes must be an integer ≥ 1024, got ${budgetBytes}`);
  }

  get bytes(): number {
    return this.used;
  }

  get count(): number {
    return this.entries.length - this.head;
  }

  /** The unsent range the next batch must declare as dropped, if any. */
  get dropped(): { from: number; to: number } | undefined {
    return this.gap;
  }

  /** The seq of the oldest unsent entry (undefined when empty). */
  get firstSeq(): number | undefined {
    return this.head < this.entries.length ? this.entries[this.head].e.seq : undefined;
  }

  /**
   * The hub holds this node's chain only up to `from` − 1 (it lost what it had
   * acknowledged: restored from a backup): every seq from `from` to just before
   * the oldest entry held is gone, and the next batch declares it dropped, as
   * after an overflow. Returns that range.
   */
  rewind(from: number): { from: number; to: number } {
    const first = this.firstSeq;
    if (first === undefined || !(Number.isSafeInteger(from) && from >= 1 && from < first))
      throw new RangeError(`rewind needs a seq ≥ 1 before the oldest one held (${first}), got ${from}`);
    this.gap = { from: this.gap ? Math.min(from, this.gap.from) : from, to: first - 1 };
    return this.gap;
  }

  /**
   * Before anything is buffered: the seqs from..to went with a restart
   * (firmware/node/node-state.ts), and the first batch declares them dropped.
   */
  lost(from: number, to: number): void {
    if (this.count > 0 || !(Number.isSafeInteger(from) && from >= 1 && Number.isSafeInteger(to) && to >= from))
      throw new RangeError(`lost needs an empty buffer and a range 1 ≤ from ≤ to, got ${from}..${to}`);
    this.gap = { from, to };
  }

  /**
   * Every entry held is replaced by `f(entry)`, oldest first (the chain moved
   * under them: firmware/node/chain-adoption.ts); a dropped range pending is
   * forgotten, since its seqs belong to the chain left behind.
   */
  relink(f: (e: EventEntry) => EventEntry, size: (e: EventEntry) => number): void {
    const old = this.entries.slice(this.head);
    this.entries = [];
    this.head = 0;
    this.used = 0;
    this.gap = undefined;
    for (const x of old) {
      const e = f(x.e);
      const n = size(e);
      this.entries.push({ e, size: n, at: x.at });
      this.used += n;
    }
  }

  /**
   * Adds an entry, buffered at `at` on the clock the uplink's timers run on
   * (default its own time); returns what had to go to make room (oldest
   * first, contiguous).
   */
  push(e: EventEntry, size: number, at = e.time): DroppedRange | undefined {
    const out = this.makeRoom(size);
    this.entries.push({ e, size, at });
    this.used += size;
    return out;
  }

  /** Drops the oldest entries until `size` more bytes fit; returns what went. */
  makeRoom(size: number): DroppedRange | undefined {
    if (size > this.budgetBytes) throw new RangeError(`an entry of ${size} bytes cannot fit a budget of ${this.budgetBytes}`);
    let out: DroppedRange | undefined;
    while (this.used + size > this.budgetBytes) {
      const old = this.entries[this.head++];
      this.used -= old.size;
      this.stats.dropped++;
      if (!out) out = { from: old.e.seq, to: old.e.seq, count: 0 };
      out.to = old.e.seq;
      out.count++;
    }
    if (out) {
      this.stats.overflows++;
      this.gap = this.gap ? { from: this.gap.from, to: out.to } : { from: out.from, to: out.to };
      this.compact();
    }
    return out;
  }

  /** The oldest unsent entries, at most maxCount and maxBytes (always at least one). */
  peek(maxCount: number, maxBytes = Infinity): EventEntry[] {
    const out: EventEntry[] = [];
    let bytes = 0;
    for (let i = this.head; i < this.entries.length && out.length < maxCount; i++) {
      bytes += this.entries[i].size;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(this.entries[i].e);
    }
    return out;
  }

  /**
   * When the oldest unsent entry was buffered, on the timers' clock (undefined
   * when empty). Not its event time: that is the hub's corrected clock once
   * the node synced, which an ESP32's timers (counting from boot) never meet.
   */
  oldestQueuedAt(): number | undefined {
    return this.head < this.entries.length ? this.entries[this.head].at : undefined;
  }

  /** The hub has stored everything up to `seq`. */
  ack(seq: number): void {
    while (this.head < this.entries.length && this.entries[this.head].e.seq <= seq) {
      this.used -= this.entries[this.head].size;
      this.head++;
    }
    if (this.gap && seq >= this.gap.to) this.gap = undefined;
    this.compact();
  }

  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
