/**
 * Migration step 22, entry counts: each chain's number of stored entries
 * kept on its row of `nodes`, so listing the nodes (GET /v1/nodes, the
 * dashboard, `fazt` and MCP lists) reads one row per chain instead of
 * counting its whole log.
 *
 * - nodes.entry_count: the entries of the chain present in `entries`, what
 *   count(*) over them gives; the ingest adds a batch's fresh entries in the
 *   statement that moves the head (host/store/ingest.ts), a retention pass
 *   takes off the rows it deletes in the transaction that deletes them
 *   (host/store/retention-pass.ts). A pruned range is not counted (its rows
 *   are gone, as before this step); a signed gap adds no entries.
 *
 * Filled once here from the rows already stored: one count per chain, by the
 * primary key of `entries`. A released step never changes: a new need is a
 * new step.
 */
export const ENTRY_COUNTS_SQL = `
  ALTER TABLE nodes ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0 CHECK (entry_count >= 0);
  UPDATE nodes SET entry_count = (SELECT count(*) FROM entries e WHERE e.node = (SELECT r.ref FROM node_refs r WHERE r.node = nodes.id));
`;
