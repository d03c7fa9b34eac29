import type { Statement } from 'better-sqlite3';
import { idFromHash, type EventEntry } from '../../firmware/event/envelope.js';
import type { Db } from './open-cartridge.js';
import { FROM_ENTRIES, fromEntries, READING_TYPE, ROW_COLUMNS, rowToEntry, typeIs, type EntryRow } from './event-rows.js';

type Of = Statement<[string, string, number], EntryRow>;

/**
 * A node's latest events of a type, read backwards by index (entries_by_type,
 * or the primary key for readings and arrivals): what Pulse restores its
 * states from on start, at a cost that does not grow with the cartridge.
 */
export class NodeLatest {
  private readonly latestOf: { rare: Of; readings: Of };
  private readonly firstAfter: { rare: Of; readings: Of };
  private readonly arrivalsOf;
  private readonly stampsOf;
  private readonly newest;

  constructor(db: Db) {
    // Left to itself SQLite walks the node's whole chain along the primary key (it matches the ORDER BY) to find a rare type;
    // readings are most of a chain, and not in entries_by_type: the primary key it is for them.
    const of = (index: string | undefined, type: string, tail: string) =>
      db.prepare<[string, string, number], EntryRow>(`SELECT ${ROW_COLUMNS} FROM ${fromEntries(index)} WHERE ${typeIs(type)} AND r.node = ? ${tail}`).raw();
    const both = (tail: string) => ({ rare: of('entries_by_type', '', tail), readings: of(undefined, READING_TYPE, tail) });
    this.latestOf = both('ORDER BY e.seq DESC LIMIT ?');
    this.firstAfter = both('AND e.seq > ? ORDER BY e.seq LIMIT 1');
    this.newest = db.prepare<[string], Buffer>(`SELECT e.hash FROM ${FROM_ENTRIES} WHERE r.node = ? ORDER BY e.seq DESC LIMIT 1`).pluck();
    this.arrivalsOf = db.prepare<[string, number], number>(`SELECT e.received_at FROM ${FROM_ENTRIES} WHERE r.node = ? ORDER BY e.seq DESC LIMIT ?`).pluck();
    this.stampsOf = db
      .prepare<[string, number], [string, number, number]>(
        `SELECT t.name, e.time, e.received_at FROM ${FROM_ENTRIES} WHERE r.node = ? ORDER BY e.seq DESC LIMIT ?`,
      )
      .raw();
  }

  /** Up to `limit` events of this type, newest first. */
  latest(node: string, type: string, limit = 1): EventEntry[] {
    return this.pick(this.latestOf, type).all(type, node, limit).map(rowToEntry);
  }

  /** The first event of this type after seq `after`. */
  firstAfterSeq(node: string, type: string, after: number): EventEntry | undefined {
    const r = this.pick(this.firstAfter, type).get(type, node, after);
    return r && rowToEntry(r);
  }

  /** The id of the node's newest stored event. */
  newestId(node: string): string | undefined {
    const hash = this.newest.get(node);
    return hash && idFromHash(hash);
  }

  private pick(s: { rare: Of; readings: Of }, type: string): Of {
    return type === READING_TYPE ? s.readings : s.rare;
  }

  /**
   * The node's latest `limit` events' type, time and moment stored, newest
   * first: how far its clock led the hub's in each batch.
   */
  stamps(node: string, limit: number): [type: string, time: number, receivedAt: number][] {
    return this.stampsOf.all(node, limit);
  }

  /** The distinct moments the node's latest `limit` events were stored, oldest first (its batches' arrivals). */
  arrivals(node: string, limit: number): number[] {
    const seen = [...new Set(this.arrivalsOf.all(node, limit))];
    return seen.reverse();
  }
}
