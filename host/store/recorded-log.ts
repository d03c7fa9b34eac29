import type { Statement } from 'better-sqlite3';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import type { EventClock, EventEntry } from '../../firmware/event/envelope.js';
import type { Db } from './open-cartridge.js';
import type { ReceivedEntry } from './recent-events.js';

type ReceivedRow = [
  seq: number,
  id: string,
  type: string,
  source: string,
  time: number,
  clock: EventClock | null,
  prev: Buffer,
  data: Buffer,
  receivedAt: number,
];

/**
 * The whole log in the order the hub stored it, each entry with its
 * received_at: what a consumer that decides from the log (the rule engine,
 * host/effect/rule-service.ts) replays on start, and what a backtest reads.
 * Entries committed in the same millisecond come node chains first and the
 * hub's own last, since the hub's events in a millisecond follow from what
 * the nodes sent in it (the same order the post-commit hook delivered them).
 */
export class RecordedLog {
  private readonly from: Statement<[number, number, string], ReceivedRow>;

  constructor(db: Db) {
    // events_by_received (migration 7) keeps this an index walk, not a sort of the whole log. Rows come
    // as arrays (raw): a backtest reads millions, and an object per row costs more than the read itself.
    this.from = db
      .prepare<[number, number, string], ReceivedRow>(
        'SELECT seq, id, type, source, time, clock, prev, data, received_at FROM events WHERE received_at >= ? AND received_at < ? ORDER BY received_at, node = ?, node, seq',
      )
      .raw();
  }

  /** Entries stored in [since, until), in stored order; `hubId` names the hub's own chain. */
  *between(since: number, until: number, hubId: string): IterableIterator<ReceivedEntry> {
    for (const [seq, id, type, source, time, clock, prev, data, receivedAt] of this.from.iterate(since, until, hubId)) {
      // As queries.ts's rowToEntry: `clock` only when the event had one, so the entry hashes as signed.
      const entry: EventEntry = { id, type, source, time, seq, prev: new Uint8Array(prev), data: decodeCbor(data) };
      if (clock !== null) entry.clock = clock;
      yield { entry, receivedAt };
    }
  }
}
