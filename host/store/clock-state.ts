import type { Statement } from 'better-sqlite3';
import type { Db } from './open-cartridge.js';

/** The Timekeeper's estimate as persisted: offset of consensus from the system clock, and its drift. */
export interface ClockState {
  offsetMs: number;
  /** How fast the offset changes: parts per million of elapsed time. */
  driftPpm: number;
  sources: number;
  spreadMs: number;
  /** System-clock time of the round that produced the offset. */
  syncedAt: number;
  /** The machine's boot the offset belongs to (Linux boot_id), when known. */
  bootId?: string;
}

/** One row: the latest clock estimate, so a restarted hub keeps its drift. */
export class ClockStateStore {
  private readonly get: Statement<[], { offset_ms: number; drift_ppm: number; sources: number; spread_ms: number; synced_at: number; boot_id: string | null }>;
  private readonly put: Statement<[number, number, number, number, number, string | null]>;

  constructor(db: Db) {
    this.get = db.prepare('SELECT offset_ms, drift_ppm, sources, spread_ms, synced_at, boot_id FROM clock_state WHERE id = 1');
    this.put = db.prepare(`INSERT INTO clock_state (id, offset_ms, drift_ppm, sources, spread_ms, synced_at, boot_id) VALUES (1, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET offset_ms = excluded.offset_ms, drift_ppm = excluded.drift_ppm, sources = excluded.sources, spread_ms = excluded.spread_ms,
        synced_at = excluded.synced_at, boot_id = excluded.boot_id`);
  }

  load(): ClockState | undefined {
    const r = this.get.get();
    if (!r) return undefined;
    const s: ClockState = { offsetMs: r.offset_ms, driftPpm: r.drift_ppm, sources: r.sources, spreadMs: r.spread_ms, syncedAt: r.synced_at };
    if (r.boot_id !== null) s.bootId = r.boot_id;
    return s;
  }

  save(s: ClockState): void {
    this.put.run(s.offsetMs, s.driftPpm, s.sources, s.spreadMs, Math.floor(s.syncedAt), s.bootId ?? null);
  }
}
