import type { Statement } from 'better-sqlite3';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import type { Db } from './open-cartridge.js';

export interface GapRecord {
  from: number;
  to: number;
  at: number;
}

/** What the cartridge holds about each chain besides its entries: its stored head and the gaps its node signed for. */
export class ChainRecords {
  private readonly gapsOf: Statement<[string], GapRecord>;
  private readonly headOf: Statement<[string], { head_seq: number; head_hash: Buffer | null }>;

  constructor(db: Db) {
    this.gapsOf = db.prepare('SELECT from_seq AS "from", to_seq AS "to", at FROM gaps WHERE node = ? ORDER BY from_seq');
    this.headOf = db.prepare('SELECT head_seq, head_hash FROM nodes WHERE id = ?');
  }

  /** The stored head of a chain; undefined for a chain not registered here. */
  head(node: string): EventLogHead | undefined {
    const r = this.headOf.get(node);
    if (!r) return undefined;
    return { seq: r.head_seq, hash: r.head_hash ? new Uint8Array(r.head_hash) : new Uint8Array(32) };
  }

  gaps(node: string): GapRecord[] {
    return this.gapsOf.all(node);
  }
}
