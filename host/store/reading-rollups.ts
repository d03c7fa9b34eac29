import type { Statement } from 'better-sqlite3';
import type { EntryValues } from './event-rows.js';
import type { Db } from './open-cartridge.js';
import { floorTo, ROLLUP_TIERS } from './rollup-tiers.js';

type Upsert = [node: number, name: number, width: number, start: number, component: number, min: number, max: number, sum: number, count: number];

const UPSERT = `INSERT INTO reading_rollups (node, name, width, start, component, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO UPDATE SET min = min(min, excluded.min), max = max(max, excluded.max), sum = sum + excluded.sum, count = count + excluded.count`;

/**
 * Keeps `reading_rollups` (host/store/migration-rollups.ts) up to date with
 * the entries ingest stores: called inside the batch's transaction, so a
 * rollup never disagrees with the entries, even after a crash. A batch's
 * readings are summed in JS first: one upsert per (tier, interval, name,
 * component), not one per reading.
 */
export class ReadingRollups {
  private readonly upsert: Statement<Upsert>;

  constructor(db: Db) {
    this.upsert = db.prepare(UPSERT);
  }

  /** Adds the plain-number readings among freshly stored rows (the others have no name column). */
  add(rows: readonly EntryValues[]): void {
    // Per minute from the readings, then each coarser tier from those minutes: one key a reading.
    const minutes = new Map<string, Upsert>();
    for (const r of rows) {
      const [node, , , component, time, , , , , name, , value] = r;
      if (name === null || value === null) continue;
      const start = floorTo(time, FINEST);
      fold(minutes, `${node} ${name} ${component} ${start}`, [node, name, FINEST, start, component ?? 0, value, value, value, 1]);
    }
    for (const g of minutes.values()) this.upsert.run(...g);
    for (const width of COARSER) {
      const coarse = new Map<string, Upsert>();
      for (const [node, name, , start, component, min, max, sum, count] of minutes.values()) {
        const s = floorTo(start, width);
        fold(coarse, `${node} ${name} ${component} ${s}`, [node, name, width, s, component, min, max, sum, count]);
      }
      for (const g of coarse.values()) this.upsert.run(...g);
    }
  }
}

const FINEST = ROLLUP_TIERS[ROLLUP_TIERS.length - 1];
const COARSER = ROLLUP_TIERS.slice(0, -1);

/** Adds a group's figures to the one of the same key. */
function fold(groups: Map<string, Upsert>, key: string, g: Upsert): void {
  const had = groups.get(key);
  if (had === undefined) {
    groups.set(key, g);
    return;
  }
  if (g[5] < had[5]) had[5] = g[5];
  if (g[6] > had[6]) had[6] = g[6];
  had[7] += g[7];
  had[8] += g[8];
}
