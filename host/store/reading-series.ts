import type { Statement } from 'better-sqlite3';
import { isNodeId } from '../../firmware/identity/node-id.js';
import type { Db } from './open-cartridge.js';
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

/** More buckets than a chart can show is a mistake in the query (a bucket of 1 ms over a year). */
const MAX_BUCKETS = 100_000;

type Params = { node: string; name: string; component: string | null; since: number; until: number; bucket: number };

/**
 * A reading's values over time in buckets (min, mean, max, count each), for
 * charts: one SQL query along entries_by_reading (node, name, time), so the
 * cost follows the readings in the range, whatever else the node stored.
 * Buckets without readings are absent. (A JS number binds as REAL: the
 * casts keep the bucket's division an integer one.) Readings kept as CBOR (not a plain
 * number: see reading-columns.ts) are not in a series.
 */
export class ReadingSeries {
  private readonly query: Statement<Params, [number, number, number, number, number]>;

  constructor(db: Db) {
    this.query = db
      .prepare<Params, [number, number, number, number, number]>(
        `SELECT (e.time - CAST(:since AS INTEGER)) / CAST(:bucket AS INTEGER) AS k, min(e.value), avg(e.value), max(e.value), count(*)
        FROM entries e
        WHERE e.node = (SELECT ref FROM node_refs WHERE node = :node) AND e.name = (SELECT ref FROM names WHERE name = :name)
          AND e.time >= :since AND e.time < :until
          AND (:component IS NULL OR e.component = (SELECT ref FROM names WHERE name = :component))
        GROUP BY k ORDER BY k`,
      )
      .raw();
  }

  between(q: SeriesQuery): SeriesBucket[] {
    const bad = (message: string): never => {
      throw new StoreError('bad-query', message);
    };
    if (!isNodeId(q.node)) bad(`node '${q.node}' is not a node id`);
    if (typeof q.name !== 'string' || q.name === '') bad('name must be a reading name');
    if (q.component !== undefined && typeof q.component !== 'string') bad('component must be a string');
    if (!Number.isSafeInteger(q.since) || !Number.isSafeInteger(q.until) || q.until <= q.since)
      bad('since and until must be whole milliseconds, since < until');
    if (!Number.isSafeInteger(q.bucketMs) || q.bucketMs < 1) bad('bucketMs must be a whole number of milliseconds ≥ 1');
    if ((q.until - q.since) / q.bucketMs > MAX_BUCKETS) bad(`bucketMs ${q.bucketMs} makes more than ${MAX_BUCKETS} buckets of since..until`);
    const rows = this.query.all({ node: q.node, name: q.name, component: q.component ?? null, since: q.since, until: q.until, bucket: q.bucketMs });
    return rows.map(([k, min, mean, max, count]) => ({ start: q.since + k * q.bucketMs, min, mean, max, count }));
  }
}
