import type { Cartridge } from '../store/cartridge.js';
import { snapToTier } from '../store/rollup-tiers.js';
import { HttpError } from './http-error.js';
import { resolveNodeRef } from './node-ref.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, route } from './route.js';

const KNOWN = ['node', 'name', 'component', 'from', 'to', 'points'];
/** A chart is at most a few thousand pixels wide: more buckets than that is a mistake. */
const MAX_POINTS = 10_000;

function millis(p: URLSearchParams, key: string, fallback: number | undefined): number {
  const text = p.get(key);
  if (text === null) {
    if (fallback === undefined) throw new HttpError(400, 'bad-query', `${key}: give ms since the epoch`);
    return fallback;
  }
  if (!/^\d{1,16}$/.test(text)) throw new HttpError(400, 'bad-query', `${key} must be whole ms since the epoch, got '${text}'`);
  return Number(text);
}

/** A reading's buckets over [from, to), snapped to a rollup tier as GET /v1/series describes (the MCP series tool reads it too). */
export function readSeries(cartridge: Cartridge, q: { node: string; name: string; component?: string; from: number; to: number; points: number }) {
  const { since, bucketMs, tier } = snapToTier(q.from, q.to, q.points);
  const buckets = cartridge.series.between({ node: q.node, name: q.name, component: q.component, since, until: q.to, bucketMs });
  return {
    node: q.node,
    name: q.name,
    component: q.component ?? null,
    from: since,
    to: q.to,
    bucketMs,
    tier: tier ?? null,
    buckets: buckets.map((b) => [b.start, b.min, b.mean, b.max, b.count]),
  };
}

/**
 * GET /v1/series?node=&name=&from=&to=&points=[&component=]: a reading's
 * min/mean/max/count in at most `points` equal buckets over [from, to),
 * computed in SQL by the store (host/store/reading-series.ts). So that a
 * chart reads the rollups kept at ingest (a row a minute, ten minutes, an
 * hour) rather than every reading, `from` moves back to a tier's boundary
 * and the bucket width up to a whole number of that tier: the coarsest one
 * that keeps at least 80 % of the points, else the minute
 * (rollup-tiers.ts snapToTier). The answer says so: its `from` is the first
 * bucket's start, `tier` the tier's width in ms (null: buckets under a
 * minute, read from the readings as asked). Buckets without readings are
 * absent; each is [start, min, mean, max, count].
 */
export function seriesRoutes(ctx: { cartridge: Cartridge; clock: () => number }): Routes {
  const series: Handler = (_req, res, url) => {
    const p = url.searchParams;
    for (const k of p.keys()) if (!KNOWN.includes(k)) throw new HttpError(400, 'bad-query', `unknown parameter '${k}' (known: ${KNOWN.join(', ')})`);
    const nodeRef = p.get('node');
    if (!nodeRef) throw new HttpError(400, 'bad-query', 'node: name the node (its id or name)');
    const name = p.get('name');
    if (!name) throw new HttpError(400, 'bad-query', "name: name the reading, e.g. 'temperature'");
    const node = resolveNodeRef(nodeRef, () => ctx.cartridge.nodeNames());
    const to = millis(p, 'to', Math.floor(ctx.clock()));
    const from = millis(p, 'from', to - 3_600_000);
    if (from >= to) throw new HttpError(400, 'bad-query', `from (${from}) must be before to (${to})`);
    const pointsText = p.get('points') ?? '500';
    if (!/^\d{1,5}$/.test(pointsText) || Number(pointsText) < 1 || Number(pointsText) > MAX_POINTS)
      throw new HttpError(400, 'bad-query', `points must be a whole number from 1 to ${MAX_POINTS}, got '${pointsText}'`);
    sendJson(res, 200, readSeries(ctx.cartridge, { node, name, component: p.get('component') ?? undefined, from, to, points: Number(pointsText) }));
  };
  // Who may call: a token or session of scope read (the readings are the owner's).
  return { '/v1/series': { GET: route('read', series) } };
}
