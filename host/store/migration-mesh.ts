/**
 * Migration step 14, the mesh (host/mesh/): the hubs this one is paired
 * with, the single-use invites that pair them, what each peer was last seen
 * to hold (so a sync asks only for what changed), the forks seen (two validly
 * signed entries at one seq, kept whole as proof) and the refusals of what a
 * peer sent. Forks and refusals are append-only records. A released step
 * never changes: a new need is a new step.
 */
export const MESH_SQL = `
  CREATE TABLE mesh_peers (
    hub         TEXT PRIMARY KEY,
    public_key  BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),
    name        TEXT,
    url         TEXT,
    paired_at   INTEGER NOT NULL,
    unpaired_at INTEGER
  ) STRICT;
  CREATE TABLE mesh_pair_invites (
    token_hash  BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    used_by     TEXT
  ) STRICT;
  CREATE TABLE mesh_peer_heads (
    peer  TEXT NOT NULL REFERENCES mesh_peers (hub),
    node  TEXT NOT NULL,
    seq   INTEGER NOT NULL CHECK (seq >= 0),
    hash  BLOB,
    at    INTEGER NOT NULL,
    PRIMARY KEY (peer, node)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE mesh_forks (
    node      TEXT NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    stored    BLOB NOT NULL CHECK (length(stored) = 32),
    other     BLOB NOT NULL CHECK (length(other) = 32),
    proof     BLOB NOT NULL,
    from_peer TEXT,
    at        INTEGER NOT NULL,
    PRIMARY KEY (node, seq, other)
  ) STRICT, WITHOUT ROWID;
  CREATE TRIGGER mesh_forks_no_update BEFORE UPDATE ON mesh_forks BEGIN SELECT RAISE(ABORT, 'forks are append-only'); END;
  CREATE TRIGGER mesh_forks_no_delete BEFORE DELETE ON mesh_forks BEGIN SELECT RAISE(ABORT, 'forks are append-only'); END;
  CREATE TABLE mesh_refusals (
    id      INTEGER PRIMARY KEY,
    peer    TEXT NOT NULL,
    code    TEXT NOT NULL,
    message TEXT NOT NULL,
    at      INTEGER NOT NULL
  ) STRICT;
`;
