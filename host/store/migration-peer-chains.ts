/**
 * Migration step 15: a paired hub's own chain is kept here as kind 'peer'
 * (host/mesh/), growing only from the mesh, never from an uplink. SQLite
 * cannot change a column's CHECK, so the nodes table is rebuilt with the same
 * columns and its trigger; no table references it by foreign key.
 */
export const PEER_CHAINS_SQL = `
  CREATE TABLE nodes_v15 (
    id          TEXT PRIMARY KEY,
    public_key  BLOB NOT NULL UNIQUE,
    name        TEXT,
    board       TEXT,
    enrolled_at INTEGER NOT NULL,
    head_seq    INTEGER NOT NULL DEFAULT 0,
    head_hash   BLOB,
    kind        TEXT NOT NULL DEFAULT 'node' CHECK (kind IN ('node', 'hub', 'peer')),
    retired_at  INTEGER,
    revoked_at  INTEGER
  ) STRICT;
  INSERT INTO nodes_v15 (id, public_key, name, board, enrolled_at, head_seq, head_hash, kind, retired_at, revoked_at)
    SELECT id, public_key, name, board, enrolled_at, head_seq, head_hash, kind, retired_at, revoked_at FROM nodes;
  DROP TABLE nodes;
  ALTER TABLE nodes_v15 RENAME TO nodes;
  CREATE TRIGGER nodes_ref AFTER INSERT ON nodes BEGIN INSERT INTO node_refs (node) VALUES (new.id); END;
`;
