import type { EventEntry } from '../../firmware/event/envelope.js';
import type { Db } from './open-cartridge.js';
import { COLUMNS, type EventRow, rowToEntry } from './queries.js';

/**
 * A node's latest events of a type, read backwards by index (events_by_type,
 * or the primary key for arrivals): what Pulse restores its states from on
 * start, at a cost that does not grow with the cartridge.
 */
export class NodeLatest {
  private readonly latestOf;
  private readonly firstAfter;
  private readonly arrivalsOf;
  private readonly newest;

  constructor(db: Db) {
    // Left to itself SQLite walks the node's whole chain along the primary key (it matches the ORDER BY) to find a rare type.
    this.latestOf = db.prepare<[string, string, number], EventRow>(
      `SELECT ${COLUMNS} FROM events INDEXED BY events_by_type WHERE type = ? AND node = ? ORDER BY seq DESC LIMIT ?`,
    );
    this.firstAfter = db.prepare<[string, string, number], EventRow>(
      `SELECT ${COLUMNS} FROM events INDEXED BY events_by_type WHERE type = ? AND node = ? AND seq > ? ORDER BY seq LIMIT 1`,
    );
    this.newest = db.prepare<[string], string>('SELECT id FROM events WHERE node = ? ORDER BY seq DESC LIMIT 1').pluck();
    this.arrivalsOf = db.prepare<[string, number], number>('SELECT received_at FROM events WHERE node = ? ORDER BY seq DESC LIMIT ?').pluck();
  }

  /** Up to `limit` events of this type, newest first. */
  latest(node: string, type: string, limit = 1): EventEntry[] {
    return this.latestOf.all(type, node, limit).map(rowToEntry);
  }

  /** The first event of this type after seq `after`. */
  firstAfterSeq(node: string, type: string, after: number): EventEntry | undefined {
    const r = this.firstAfter.get(type, node, after);
    return r && rowToEntry(r);
  }

  /** The id of the node's newest stored event. */
  newestId(node: string): string | undefined {
    return this.newest.get(node);
  }

  /** The distinct moments the node's latest `limit` events were stored, oldest first (its batches' arrivals). */
  arrivals(node: string, limit: number): number[] {
    const seen = [...new Set(this.arrivalsOf.all(node, limit))];
    return seen.reverse();
  }
}
