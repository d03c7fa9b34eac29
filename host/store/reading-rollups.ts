import type { Statement } from 'better-sqlite3';
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

  /** A sum of readings to add, written once all are in (RollupSum.write): a batch's, or a mesh page's. */
  sum(): RollupSum {
    return new RollupSum(this.upsert);
  }
}

/** Readings summed per minute as rows are stored, then written with one upsert per (tier, interval, name, component). */
export class RollupSum {
  private readonly minutes = new Map<string, Upsert>();

  constructor(private readonly upsert: Statement<Upsert>) {}

  /** Adds a stored row's reading: a plain number under a name (other rows have no name column and add nothing). */
  add(node: number, component: number | null, time: number, name: number | null, value: number | null): void {
    if (name === null || value === null) return;
    const start = floorTo(time, FINEST);
    fold(this.minutes, `${node} ${name} ${component} ${start}`, node, name, FINEST, start, component ?? 0, value, value, value, 1);
  }

  /** Writes the minutes, then each coarser tier summed from them. */
  write(): void {
    const minutes = this.minutes;
    for (const g of minutes.values()) this.upsert.run(...g);
    for (const width of COARSER) {
      const coarse = new Map<string, Upsert>();
      for (const [node, name, , start, component, min, max, sum, count] of minutes.values()) {
        const s = floorTo(start, width);
        fold(coarse, `${node} ${name} ${component} ${s}`, node, name, width, s, component, min, max, sum, count);
      }
      for (const g of coarse.values()) this.upsert.run(...g);
    }
    minutes.clear();
  }
}

const FINEST = ROLLUP_TIERS[ROLLUP_TIERS.length - 1];
const COARSER = ROLLUP_TIERS.slice(0, -1);

/** Adds a group's figures to the one of the same key; the group is built only for a new key (most readings fall in a group already seen). */
function fold(
  groups: Map<string, Upsert>,
  key: string,
  node: number,
  name: number,
  width: number,
  start: number,
  component: number,
  min: number,
  max: number,
  sum: number,
  count: number,
): void {
  const had = groups.get(key);
  if (had === undefined) {
    groups.set(key, [node, name, width, start, component, min, max, sum, count]);
    return;
  }
  if (min < had[5]) had[5] = min;
  if (max > had[6]) had[6] = max;
  had[7] += sum;
  had[8] += count;
}
