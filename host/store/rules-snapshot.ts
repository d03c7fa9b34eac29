import type { Statement } from 'better-sqlite3';
import type { Db } from './open-cartridge.js';

/** The rules snapshot as stored: its format, when it was written, the log position it stands at, the state (JSON text). */
export interface StoredRulesSnapshot {
  format: number;
  writtenAt: number;
  /** Per chain, the seq through which the state took the chain's entries into account. */
  position: Map<string, number>;
  state: string;
}

interface Row {
  format: number;
  written_at: number;
  position: string;
  state: string;
}

/**
 * The rule engine's latest snapshot (migration step 21). What the state
 * means is the rules' own business (host/effect/rule-service.ts, versioned by
 * `format`); the store keeps one row, replaced whole inside the caller's
 * transaction, which writes the rules cursor's marks with it.
 */
export class RulesSnapshots {
  private readonly read: Statement<[], Row>;
  private readonly upsert: Statement<[number, number, string, string]>;

  constructor(db: Db) {
    this.read = db.prepare<[], Row>('SELECT format, written_at, position, state FROM rules_snapshot WHERE id = 1');
    this.upsert = db.prepare(
      `INSERT INTO rules_snapshot (id, format, written_at, position, state) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET format = excluded.format, written_at = excluded.written_at, position = excluded.position, state = excluded.state`,
    );
  }

  /** The latest snapshot, or undefined (none written yet; a position that is not a list of [chain, seq] reads as none). */
  latest(): StoredRulesSnapshot | undefined {
    const r = this.read.get();
    if (!r) return undefined;
    const pairs: unknown = JSON.parse(r.position);
    if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && typeof p[0] === 'string' && Number.isInteger(p[1]))) return undefined;
    return { format: r.format, writtenAt: r.written_at, position: new Map(pairs as [string, number][]), state: r.state };
  }

  /** Replaces the snapshot: call inside a write transaction (the one that flushes the rules cursor). */
  write(format: number, writtenAt: number, position: ReadonlyMap<string, number>, state: string): void {
    this.upsert.run(format, writtenAt, JSON.stringify([...position]), state);
  }
}
