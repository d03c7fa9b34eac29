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
    const groups = new Map<string, Upsert>();
    for (const r of rows) {
      const [node, , , component, time, , , , , name, , value] = r;
      if (name === null || value === null) continue;
      for (const width of ROLLUP_TIERS) {
        const start = floorTo(time, width);
        const key = `${node} ${width} ${start} ${name} ${component}`;
        const g = groups.get(key);
        if (g === undefined) groups.set(key, [node, name, width, start, component ?? 0, value, value, value, 1]);
        else {
          if (value < g[5]) g[5] = value;
          if (value > g[6]) g[6] = value;
          g[7] += value;
          g[8]++;
        }
      }
    }
    for (const g of groups.values()) this.upsert.run(...g);
  }
}
