/**
 * Migration step 18, pending effects (host/store/pending-effects.ts): an
 * output action an agent proposed over MCP, which runs only once a person
 * confirms it. `requested_by` and `settled_by` are the token's id and name
 * as JSON, never its secret; `proposal` is the id of the hub's
 * effect.agent.proposed event, `command` the queued command once confirmed.
 * A released step never changes: a new need is a new step.
 */
export const PENDING_EFFECTS_SQL = `
  CREATE TABLE pending_effects (
    id           TEXT PRIMARY KEY,
    node         TEXT NOT NULL,
    action       TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    reason       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL CHECK (expires_at > created_at),
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed', 'declined', 'expired')),
    proposal     TEXT NOT NULL,
    settled_at   INTEGER,
    settled_by   TEXT,
    command      TEXT
  ) STRICT;
  CREATE INDEX pending_effects_open ON pending_effects (state, expires_at);
`;
