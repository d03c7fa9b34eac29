/**
 * Migration step 11, reading rollups: per reading (node, name, component)
 * the min, max, sum and count of its plain-number values (the rows of
 * `entries` with a `name`: readings kept as CBOR are not in them, as they are
 * not in a series) for each whole minute, ten minutes and hour of event time,
 * so a chart over a year reads a few thousand rows instead of millions
 * (host/store/reading-series.ts). Ingest keeps them in the same transaction
 * as the entries they summarise (host/store/reading-rollups.ts).
 *
 * - width: the tier, 60000 (a minute), 600000 or 3600000 (an hour); start:
 *   the first ms of the interval, a multiple of width since the epoch (so a
 *   chart of any range reads at most about ten rows a bucket);
 * - component: its `names` ref, 0 for a reading whose source is the node id
 *   alone (a key column cannot be NULL);
 * - the key puts start before component, so one range scan serves a query
 *   of one component and a query of all of them.
 *
 * The backfill reads `entries` once for the minutes; the coarser tiers are
 * summed from the minutes. Released: this SQL never changes (a new tier is a new step).
 */
export const ROLLUPS_SQL = `
  CREATE TABLE reading_rollups (
    node      INTEGER NOT NULL,
    name      INTEGER NOT NULL,
    width     INTEGER NOT NULL CHECK (width IN (60000, 600000, 3600000)),
    start     INTEGER NOT NULL,
    component INTEGER NOT NULL,
    min       REAL NOT NULL,
    max       REAL NOT NULL,
    sum       REAL NOT NULL,
    count     INTEGER NOT NULL CHECK (count >= 1),
    PRIMARY KEY (node, name, width, start, component)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO reading_rollups (node, name, width, start, component, min, max, sum, count)
    SELECT node, name, 60000, time - ((time % 60000) + 60000) % 60000 AS minute, coalesce(component, 0) AS part,
      min(value), max(value), sum(value), count(*)
    FROM entries WHERE name IS NOT NULL
    GROUP BY node, name, minute, part;
  INSERT INTO reading_rollups (node, name, width, start, component, min, max, sum, count)
    SELECT node, name, w.width, start - ((start % w.width) + w.width) % w.width AS coarse, component,
      min(min), max(max), sum(sum), sum(count)
    FROM reading_rollups CROSS JOIN (SELECT 600000 AS width UNION ALL SELECT 3600000) AS w
    WHERE reading_rollups.width = 60000
    GROUP BY node, name, w.width, coarse, component;
`;
