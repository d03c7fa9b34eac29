import type { Statement } from 'better-sqlite3';
import type { Db } from './open-cartridge.js';
import { COLUMNS, rowToEntry, type EventRow } from './queries.js';
import type { ReceivedEntry } from './recent-events.js';

type ReceivedRow = EventRow & { received_at: number };

/**
 * The whole log in the order the hub stored it, each entry with its
 * received_at: what a consumer that decides from the log (the rule engine,
 * host/hub/rule-service.ts) replays on start, and what a backtest reads.
 * Entries committed in the same millisecond come node chains first and the
 * hub's own last, since the hub's events in a millisecond follow from what
 * the nodes sent in it (the same order the post-commit hook delivered them).
 */
export class RecordedLog {
  private readonly from: Statement<[number, number, string], ReceivedRow>;

  constructor(db: Db) {
    // events_by_received (migration 7) keeps this an index walk, not a sort of the whole log.
    this.from = db.prepare(`SELECT ${COLUMNS}, received_at FROM events WHERE received_at >= ? AND received_at < ? ORDER BY received_at, node = ?, node, seq`);
  }

  /** Entries stored in [since, until), in stored order; `hubId` names the hub's own chain. */
  *between(since: number, until: number, hubId: string): IterableIterator<ReceivedEntry> {
    for (const r of this.from.iterate(since, until, hubId)) yield { entry: rowToEntry(r), receivedAt: r.received_at };
  }
}
