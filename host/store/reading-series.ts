import type { Statement } from 'better-sqlite3';
import { isNodeId } from '../../firmware/identity/node-id.js';
import type { Db } from './open-cartridge.js';
import { floorTo, ROLLUP_TIERS } from './rollup-tiers.js';
import { StoreError } from './store-error.js';

export interface SeriesQuery {
  node: string;
  /** The reading's name, e.g. 'temperature'. */
  name: string;
  /** Only readings of this component (the part of the source after the node id); all of the node's when omitted. */
  component?: string;
  /** Event time (ms since the epoch) ≥ since: the first bucket starts here. */
  since: number;
  /** Event time < until. */
  until: number;
  /** Each bucket's width in ms. */
  bucketMs: number;
}

export interface SeriesBucket {
  /** since + k · bucketMs */
  start: number;
  min: number;
  mean: number;
  max: number;
  count: number;
}

/** Where between() reads a part of the range from: a rollup tier (its width in ms) or the raw readings. */
export interface SeriesPart {
  source: number | 'raw';
  from: number;
  to: number;
}

/** More buckets than a chart can show is a mistake in the query (a bucket of 1 ms over a year). */
const MAX_BUCKETS = 100_000;

type Params = { node: string; name: string; component: string | null; since: number; bucket: number; from: number; to: number };
type TierParams = Params & { width: number };
/** Per bucket k: min, sum, max, count. */
type Row = [k: number, min: number, sum: number, max: number, count: number];

// A JS number binds as REAL: the casts keep the bucket's division an integer one.
const K = (time: string) => `(${time} - CAST(:since AS INTEGER)) / CAST(:bucket AS INTEGER) AS k`;
const NODE_NAME = 'node = (SELECT ref FROM node_refs WHERE node = :node) AND name = (SELECT ref FROM names WHERE name = :name)';
const COMPONENT = 'AND (:component IS NULL OR component = (SELECT ref FROM names WHERE name = :component))';

/** The readings themselves, along entries_by_reading (node, name, time). */
const RAW_SQL = `SELECT ${K('time')}, min(value), sum(value), max(value), count(*) FROM entries
  WHERE ${NODE_NAME} AND time >= :from AND time < :to ${COMPONENT} GROUP BY k ORDER BY k`;

/** One tier's rollups, along reading_rollups' key (node, name, width, start, component). */
const TIER_SQL = `SELECT ${K('start')}, min(min), sum(sum), max(max), sum(count) FROM reading_rollups
  WHERE ${NODE_NAME} AND width = :width AND start >= :from AND start < :to ${COMPONENT} GROUP BY k ORDER BY k`;

/**
 * A reading's values over time in buckets (min, mean, max, count each), for
 * charts. Where the range start and the bucket width fall on a rollup tier
 * (rollup-tiers.ts), the whole intervals are read from the coarsest such
 * tier, what is left before `until` from the finer ones, and the last partial
 * minute from the readings; else everything from the readings, along
 * entries_by_reading. Either way the answer is the readings' (the mean up to
 * floating-point rounding of the sums). Buckets without readings are absent.
 * Readings kept as CBOR (not a plain number: see reading-columns.ts) are not
 * in a series.
 */
export class ReadingSeries {
  private readonly raw: Statement<Params, Row>;
  private readonly tier: Statement<TierParams, Row>;

  constructor(private readonly db: Db) {
    this.raw = db.prepare<Params, Row>(RAW_SQL).raw();
    this.tier = db.prepare<TierParams, Row>(TIER_SQL).raw();
  }

  between(q: SeriesQuery): SeriesBucket[] {
    check(q);
    const p = this.params(q);
    const parts = this.parts(q);
    if (parts.length === 1) return toBuckets(q, this.read(p, parts[0]));
    const by = new Map<number, Row>();
    for (const part of parts)
      for (const r of this.read(p, part)) {
        const b = by.get(r[0]);
        if (b === undefined) by.set(r[0], r);
        else by.set(r[0], [r[0], Math.min(b[1], r[1]), b[2] + r[2], Math.max(b[3], r[3]), b[4] + r[4]]);
      }
    return toBuckets(
      q,
      [...by.values()].sort((a, b) => a[0] - b[0]),
    );
  }

  /** between()'s answer read from the readings alone, whatever tier fits: what the rollups are checked and benched against. */
  readings(q: SeriesQuery): SeriesBucket[] {
    check(q);
    return toBuckets(q, this.read(this.params(q), { source: 'raw', from: q.since, to: q.until }));
  }

  /** What between() reads for q, in order: rollup tiers from the coarsest that fits, then the raw readings. */
  parts(q: SeriesQuery): SeriesPart[] {
    check(q);
    const first = ROLLUP_TIERS.findIndex((w) => q.bucketMs % w === 0 && floorTo(q.since, w) === q.since);
    if (first < 0) return [{ source: 'raw', from: q.since, to: q.until }];
    const parts: SeriesPart[] = [];
    let at = q.since;
    for (const w of ROLLUP_TIERS.slice(first)) {
      const end = floorTo(q.until, w);
      if (end > at) parts.push({ source: w, from: at, to: (at = end) });
    }
    if (at < q.until) parts.push({ source: 'raw', from: at, to: q.until });
    return parts;
  }

  /** SQLite's plan for each part of q (EXPLAIN QUERY PLAN), to show which index or key it reads. */
  plans(q: SeriesQuery): { part: SeriesPart; plan: string[] }[] {
    const p = this.params(q);
    return this.parts(q).map((part) => {
      const at = { ...p, from: part.from, to: part.to };
      const [sql, params] = part.source === 'raw' ? [RAW_SQL, at] : [TIER_SQL, { ...at, width: part.source }];
      const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
      return { part, plan: rows.map((r) => r.detail) };
    });
  }

  private params(q: SeriesQuery): Params {
    return { node: q.node, name: q.name, component: q.component ?? null, since: q.since, bucket: q.bucketMs, from: q.since, to: q.until };
  }

  private read(p: Params, part: SeriesPart): Row[] {
    const at = { ...p, from: part.from, to: part.to };
    return part.source === 'raw' ? this.raw.all(at) : this.tier.all({ ...at, width: part.source });
  }
}

function toBuckets(q: SeriesQuery, rows: Row[]): SeriesBucket[] {
  return rows.map(([k, min, sum, max, count]) => ({ start: q.since + k * q.bucketMs, min, mean: sum / count, max, count }));
}

function check(q: SeriesQuery): void {
  const bad = (message: string): never => {
    throw new StoreError('bad-query', message);
  };
  if (!isNodeId(q.node)) bad(`node '${q.node}' is not a node id`);
  if (typeof q.name !== 'string' || q.name === '') bad('name must be a reading name');
  if (q.component !== undefined && typeof q.component !== 'string') bad('component must be a string');
  if (!Number.isSafeInteger(q.since) || !Number.isSafeInteger(q.until) || q.until <= q.since) bad('since and until must be whole milliseconds, since < until');
  if (!Number.isSafeInteger(q.bucketMs) || q.bucketMs < 1) bad('bucketMs must be a whole number of milliseconds ≥ 1');
  if ((q.until - q.since) / q.bucketMs > MAX_BUCKETS) bad(`bucketMs ${q.bucketMs} makes more than ${MAX_BUCKETS} buckets of since..until`);
}
