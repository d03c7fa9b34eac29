import type { Statement } from 'better-sqlite3';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { Db } from './open-cartridge.js';
import { COLUMNS, rowToEntry, type EventRow } from './queries.js';

/** A stored entry with the hub's clock when it was stored. */
export interface ReceivedEntry {
  entry: EventEntry;
  receivedAt: number;
}

type ReceivedRow = EventRow & { received_at: number };

/**
 * The recent end of the log, read backwards along the primary key and the
 * type index so the cost follows what is read, not what is stored: what a
 * consumer that derives its state from the log (host/percept/) reads on start.
 */
export class RecentEvents {
  private readonly newestFirst: Statement<[string], ReceivedRow>;
  private readonly newestOfType: Statement<[string, string], ReceivedRow>;

  constructor(db: Db) {
    this.newestFirst = db.prepare(`SELECT ${COLUMNS}, received_at FROM events WHERE node = ? ORDER BY seq DESC`);
    this.newestOfType = db.prepare(`SELECT ${COLUMNS}, received_at FROM events WHERE type = ? AND node = ? ORDER BY seq DESC`);
  }

  /**
   * A node's entries in seq order from just after the newest one older than
   * `since` (its own clock), so a clock that stepped back inside the span
   * does not cut it short; at most `max`, the newest kept.
   */
  tail(node: string, since: number, max = 1_000_000): ReceivedEntry[] {
    const out: ReceivedEntry[] = [];
    for (const r of this.newestFirst.iterate(node)) {
      if (r.time < since || out.length >= max) break;
      out.push({ entry: rowToEntry(r), receivedAt: r.received_at });
    }
    return out.reverse();
  }

  /** A chain's entries of one type stored at or after `since` (the hub's clock), newest first. */
  ofType(node: string, type: string, since: number): ReceivedEntry[] {
    const out: ReceivedEntry[] = [];
    for (const r of this.newestOfType.iterate(type, node)) {
      if (r.received_at < since) break;
      out.push({ entry: rowToEntry(r), receivedAt: r.received_at });
    }
    return out;
  }
}
