/**
 * Migration step 19, retention (host/store/retention-pass.ts): raw readings
 * older than the policy are deleted in whole seq ranges, each replaced by a
 * row here and a signed `system.retention.pruned` event on the hub's chain.
 *
 * - node: the chain's node_refs ref; first..last: the pruned seqs, contiguous
 *   (count = last − first + 1), last being a seq a checkpoint signs;
 * - hash: SHA-256 over the pruned entries' hashes in seq order; prev: the
 *   first one's prev; last_hash: the last one's hash (what the entry after the
 *   range links to, and the head the checkpoint at `last` signs);
 * - hub, summary: the hub chain's ref and the seq of the summary event.
 *
 * The append-only triggers stay, narrowed: a row of `entries` may be deleted
 * only if it is a plain-number reading inside a recorded range (so a plain
 * `DELETE FROM entries` still fails with 'events are append-only'), and a
 * range is recorded only once its summary is on the hub's chain. Ranges are
 * themselves append-only. The link to a pruned range's last hash joins the
 * views' and readers' derivation of prev (events_v again, with it).
 */
export const RETENTION_SQL = `
  CREATE TABLE pruned_ranges (
    node      INTEGER NOT NULL,
    first     INTEGER NOT NULL CHECK (first >= 1),
    last      INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    hash      BLOB NOT NULL CHECK (length(hash) = 32),
    prev      BLOB NOT NULL CHECK (length(prev) = 32),
    last_hash BLOB NOT NULL CHECK (length(last_hash) = 32),
    hub       INTEGER NOT NULL,
    summary   INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (node, last),
    CHECK (last >= first AND count = last - first + 1)
  ) STRICT, WITHOUT ROWID;
  CREATE TRIGGER pruned_ranges_summarised BEFORE INSERT ON pruned_ranges
    WHEN NOT EXISTS (SELECT 1 FROM entries WHERE node = new.hub AND seq = new.summary
      AND type = (SELECT ref FROM names WHERE name = 'system.retention.pruned'))
      OR EXISTS (SELECT 1 FROM pruned_ranges WHERE node = new.node AND last >= new.first AND first <= new.last)
    BEGIN SELECT RAISE(ABORT, 'a pruned range needs its summary on the hub chain and may not overlap another'); END;
  CREATE TRIGGER pruned_ranges_no_update BEFORE UPDATE ON pruned_ranges BEGIN SELECT RAISE(ABORT, 'pruned ranges are append-only'); END;
  CREATE TRIGGER pruned_ranges_no_delete BEFORE DELETE ON pruned_ranges BEGIN SELECT RAISE(ABORT, 'pruned ranges are append-only'); END;
  DROP TRIGGER entries_no_delete;
  CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
    WHEN old.name IS NULL
      OR coalesce((SELECT first FROM pruned_ranges WHERE node = old.node AND last >= old.seq ORDER BY last LIMIT 1), old.seq + 1) > old.seq
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  DROP VIEW events_v;
  CREATE VIEW events_v AS
    SELECT r.node AS node, e.seq AS seq, t.name AS type, c.name AS component, e.time AS time,
      CASE e.clock WHEN 0 THEN 'hub' WHEN 1 THEN 'rtc' WHEN 2 THEN 'unsynced' END AS clock,
      coalesce(e.prev, (SELECT p.hash FROM entries p WHERE p.node = e.node AND p.seq = e.seq - 1),
        (SELECT x.last_hash FROM pruned_ranges x WHERE x.node = e.node AND x.last = e.seq - 1)) AS prev,
      e.hash AS hash, e.received_at AS received_at
    FROM entries e JOIN node_refs r ON r.ref = e.node JOIN names t ON t.ref = e.type LEFT JOIN names c ON c.ref = e.component;
`;
