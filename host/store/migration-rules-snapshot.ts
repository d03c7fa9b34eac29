/**
 * Migration step 21, the rules snapshot (host/store/rules-snapshot.ts): the
 * rule engine's state as the live hub held it, with the position in the log
 * it stands at, so a start replays only what was stored after it instead of
 * the whole log. One row, replaced whole in one transaction (with the rules
 * cursor's marks): a kill -9 while it is written leaves the one before.
 * A cartridge from before this step has none: its first start replays the
 * whole log, as before.
 */
export const RULES_SNAPSHOT_SQL = `
  CREATE TABLE rules_snapshot (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    format     INTEGER NOT NULL,
    written_at INTEGER NOT NULL,
    position   TEXT NOT NULL,
    state      TEXT NOT NULL
  ) STRICT;
`;
