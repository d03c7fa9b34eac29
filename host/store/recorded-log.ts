import type { Statement } from 'better-sqlite3';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { FROM_ENTRIES, rowToUnlinked, UNLINKED_COLUMNS, type EntryRow } from './event-rows.js';
import type { Db } from './open-cartridge.js';

/** A stored entry as a consumer that decides from the log reads it: without its hash link (host/rules/logged-entry.ts). */
export interface RecordedEntry {
  entry: Omit<EventEntry, 'prev'>;
  receivedAt: number;
}

/** One chain read in seq order, its next row waiting to be merged. */
interface Cursor {
  rows: IterableIterator<EntryRow>;
  head: EntryRow;
  /** The hub's own chain goes after the nodes' in a millisecond. */
  last: 0 | 1;
  node: string;
}

const SQL = `SELECT ${UNLINKED_COLUMNS} FROM ${FROM_ENTRIES} WHERE r.node = ? AND e.received_at >= ? AND e.received_at < ? ORDER BY e.seq`;
/** A chain from a seq on: a range of the primary key (node, seq), so a start after a snapshot reads only what follows it. */
export const AFTER_SQL = `SELECT ${UNLINKED_COLUMNS} FROM ${FROM_ENTRIES} WHERE r.node = ? AND e.seq > ? ORDER BY e.seq`;

function earlier(a: Cursor, b: Cursor): boolean {
  const x = a.head[15];
  const y = b.head[15];
  return x !== y ? x < y : a.last !== b.last ? a.last < b.last : a.node < b.node;
}

/**
 * The whole log in the order the hub stored it, each entry (without its
 * hash link, which was checked when it was stored) with its received_at: what a consumer that decides from the log (the rule engine,
 * host/effect/rule-service.ts) replays on start, and what a backtest reads.
 *
 * Each chain is read in seq order (the order it was stored in, a walk of
 * the primary key, so no row is looked up twice) and the chains are merged
 * by received_at: commits of one millisecond come node chains first (by id)
 * and the hub's own last, since the hub's events in a millisecond follow
 * from what the nodes sent in it, as the post-commit hook delivered them.
 * A chain never comes out of seq order, even across a step back of the
 * hub's clock. The merge is a small binary heap of one cursor per chain
 * (written here: a dozen lines, no library needed).
 */
export class RecordedLog {
  private readonly chains: Statement<[], string>;

  constructor(private readonly db: Db) {
    this.chains = db.prepare<[], string>('SELECT id FROM nodes ORDER BY id').pluck();
  }

  /** Entries stored in [since, until), in stored order; `hubId` names the hub's own chain. */
  between(since: number, until: number, hubId: string): IterableIterator<RecordedEntry> {
    // Rows come as arrays (raw): a backtest reads millions, and an object per row costs more than the read.
    return this.merge(hubId, (node) => this.db.prepare<[string, number, number], EntryRow>(SQL).raw().iterate(node, since, until));
  }

  /** Entries past `position` (per chain, the last seq already taken; a chain it lacks from its start), in stored order. */
  after(position: ReadonlyMap<string, number>, hubId: string): IterableIterator<RecordedEntry> {
    return this.merge(hubId, (node) =>
      this.db
        .prepare<[string, number], EntryRow>(AFTER_SQL)
        .raw()
        .iterate(node, position.get(node) ?? 0),
    );
  }

  private *merge(hubId: string, read: (node: string) => IterableIterator<EntryRow>): IterableIterator<RecordedEntry> {
    const heap: Cursor[] = [];
    for (const node of this.chains.all()) {
      const rows = read(node);
      const first = rows.next();
      if (!first.done) push(heap, { rows, head: first.value, last: node === hubId ? 1 : 0, node });
    }
    try {
      while (heap.length > 0) {
        const c = heap[0];
        // The hash link (prev) is not read.
        const entry = rowToUnlinked(c.head);
        const receivedAt = c.head[15];
        const next = c.rows.next();
        if (next.done) pop(heap);
        else {
          c.head = next.value;
          down(heap, 0);
        }
        yield { entry, receivedAt };
      }
    } finally {
      for (const c of heap) c.rows.return?.(); // a reader that stops early closes every cursor
    }
  }
}

function push(h: Cursor[], c: Cursor): void {
  h.push(c);
  for (let i = h.length - 1; i > 0; ) {
    const p = (i - 1) >> 1;
    if (!earlier(h[i], h[p])) break;
    [h[i], h[p]] = [h[p], h[i]];
    i = p;
  }
}

function pop(h: Cursor[]): void {
  const end = h.pop() as Cursor;
  if (h.length === 0) return;
  h[0] = end;
  down(h, 0);
}

function down(h: Cursor[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && earlier(h[l], h[m])) m = l;
    if (r < h.length && earlier(h[r], h[m])) m = r;
    if (m === i) return;
    [h[i], h[m]] = [h[m], h[i]];
    i = m;
  }
}
