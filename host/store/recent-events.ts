import type { Statement } from 'better-sqlite3';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { Db } from './open-cartridge.js';
import { FROM_ENTRIES, READING_TYPE, ROW_COLUMNS, rowToEntry, typeIs, type EntryRow } from './event-rows.js';

/** A stored entry with the hub's clock when it was stored. */
export interface ReceivedEntry {
  entry: EventEntry;
  receivedAt: number;
}

/**
 * The recent end of the log, read backwards along the primary key and the
 * type index so the cost follows what is read, not what is stored: what a
 * consumer that derives its state from the log (host/percept/) reads on start.
 */
export class RecentEvents {
  private readonly newestFirst: Statement<[string], EntryRow>;
  private readonly newestOfType: Statement<[string, string], EntryRow>;
  private readonly newestReadings: Statement<[string, string], EntryRow>;

  constructor(db: Db) {
    const newest = (where: string) =>
      db.prepare<[string, string], EntryRow>(`SELECT ${ROW_COLUMNS} FROM ${FROM_ENTRIES} WHERE ${where} ORDER BY e.seq DESC`).raw();
    this.newestFirst = db.prepare<[string], EntryRow>(`SELECT ${ROW_COLUMNS} FROM ${FROM_ENTRIES} WHERE r.node = ? ORDER BY e.seq DESC`).raw();
    this.newestOfType = newest(`${typeIs('')} AND r.node = ?`);
    this.newestReadings = newest(`${typeIs(READING_TYPE)} AND r.node = ?`);
  }

  /**
   * A node's entries in seq order from just after the newest one older than
   * `since` (its own clock), so a clock that stepped back inside the span
   * does not cut it short; at most `max`, the newest kept. `keep` picks
   * entries by type and source before their data is decoded (what it leaves
   * out costs no decoding).
   */
  tail(node: string, since: number, max = 1_000_000, keep?: (e: Pick<EventEntry, 'type' | 'source'>) => boolean): ReceivedEntry[] {
    const out: ReceivedEntry[] = [];
    for (const r of this.newestFirst.iterate(node)) {
      if (r[3] < since || out.length >= max) break;
      if (keep && !keep({ type: r[1], source: r[2] === null ? r[14] : `${r[14]}/${r[2]}` })) continue;
      out.push({ entry: rowToEntry(r), receivedAt: r[15] });
    }
    return out.reverse();
  }

  /** A chain's entries of one type stored at or after `since` (the hub's clock), newest first. */
  ofType(node: string, type: string, since: number): ReceivedEntry[] {
    const out: ReceivedEntry[] = [];
    for (const r of (type === READING_TYPE ? this.newestReadings : this.newestOfType).iterate(type, node)) {
      if (r[15] < since) break;
      out.push({ entry: rowToEntry(r), receivedAt: r[15] });
    }
    return out;
  }
}
