/**
 * Migration step 13, checkpoints (host/store/checkpoints.ts): each accepted
 * batch's signed head — its node, seq range, head hash, the dropped range it
 * signed for and the Ed25519 signature — so a stored log can be verified at
 * rest, not only trusted (host/store/verify-bundle.ts). The hub's own chain is
 * checkpointed the same way, under the hub's key. Entries stored before this
 * step have none. Append-only like the log it proves. A released step never
 * changes: a new need is a new step.
 */
export const CHECKPOINTS_SQL = `
  CREATE TABLE checkpoints (
    node         TEXT NOT NULL,
    first        INTEGER NOT NULL CHECK (first >= 1),
    last         INTEGER NOT NULL CHECK (last >= first),
    head         BLOB NOT NULL CHECK (length(head) = 32),
    signature    BLOB NOT NULL CHECK (length(signature) = 64),
    dropped_from INTEGER,
    dropped_to   INTEGER,
    at           INTEGER NOT NULL,
    PRIMARY KEY (node, last)
  ) STRICT, WITHOUT ROWID;
  CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
  CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
`;
