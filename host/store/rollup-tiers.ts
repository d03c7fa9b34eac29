/**
 * The widths of the reading rollups (migration step 10), coarsest first; each
 * divides the one before, so a range aligned to a tier is aligned to every
 * finer one. A new tier needs a migration step that creates and backfills it.
 */
export const ROLLUP_TIERS = [3_600_000, 60_000] as const;

/** The start of the `width`-wide interval (since the epoch) holding `t`; right for times before 1970 too. */
export function floorTo(t: number, width: number): number {
  return t - (((t % width) + width) % width);
}

/** A series' first bucket start and bucket width, and the tier they were snapped to (undefined: none fits). */
export interface SeriesWindow {
  since: number;
  bucketMs: number;
  tier: number | undefined;
}

/**
 * `points` equal buckets over [from, to), snapped so the series reads a
 * rollup tier: the coarsest tier no wider than a bucket; `from` moves back
 * to that tier's boundary and the bucket width up to a multiple of it, so
 * the buckets stay at most `points`. Buckets narrower than the finest tier
 * (a short range) stay as asked: the raw readings are few then.
 */
export function snapToTier(from: number, to: number, points: number): SeriesWindow {
  const wanted = Math.max(1, Math.ceil((to - from) / points));
  const tier = ROLLUP_TIERS.find((w) => w <= wanted);
  if (tier === undefined) return { since: from, bucketMs: wanted, tier };
  const since = floorTo(from, tier);
  return { since, bucketMs: Math.ceil((to - since) / points / tier) * tier, tier };
}
