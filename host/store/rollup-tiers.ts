/**
 * The widths of the reading rollups (migration step 11), coarsest first; each
 * divides the one before, so a range aligned to a tier is aligned to every
 * finer one. A new tier needs a migration step that creates and backfills it.
 */
export const ROLLUP_TIERS = [3_600_000, 600_000, 60_000] as const;

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

/** How much wider than asked a bucket may grow to read a coarser tier (at least 80 % of the points asked are kept). */
const SLACK = 1.25;

/**
 * `points` equal buckets over [from, to), snapped so the series reads a
 * rollup tier: the coarsest tier no wider than a bucket whose whole multiple
 * is at most SLACK times the bucket asked (else the finest tier): `from`
 * moves back to that tier's boundary and the bucket width up to a multiple
 * of it, so there are at most `points` buckets, each read from a few rows.
 * Buckets narrower than the finest tier (a short range) stay as asked: the
 * raw readings are few then.
 */
export function snapToTier(from: number, to: number, points: number): SeriesWindow {
  const wanted = Math.max(1, Math.ceil((to - from) / points));
  const finest = ROLLUP_TIERS[ROLLUP_TIERS.length - 1];
  for (const tier of ROLLUP_TIERS) {
    if (tier > wanted) continue;
    const since = floorTo(from, tier);
    const span = Math.ceil((to - since) / points);
    const bucketMs = Math.ceil(span / tier) * tier;
    if (bucketMs <= SLACK * span || tier === finest) return { since, bucketMs, tier };
  }
  return { since: from, bucketMs: wanted, tier: undefined };
}
