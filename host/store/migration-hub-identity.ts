/**
 * Migration step 10, the hub's identity in the cartridge: its Ed25519 key
 * pair (host/hub/hub-key.ts) and the self-signed certificate made for it
 * (host/hub/tls/hub-certificate.ts), whose fingerprint clients pin. One row:
 * a restored cartridge is the same hub, serving the same certificate.
 *
 * The secret key is stored as it is, not wrapped: a key to unwrap it would
 * have to sit beside the cartridge (then it protects nothing) or be typed at
 * every start (then a Pi cannot restart alone). The cartridge is the owner's
 * secret file instead: created with mode 0600, and so are its backups.
 * A released step never changes: a new need is a new step.
 */
export const HUB_IDENTITY_SQL = `
  CREATE TABLE hub_identity (
    one          INTEGER PRIMARY KEY CHECK (one = 1),
    id           TEXT NOT NULL,
    public_key   BLOB NOT NULL CHECK (length(public_key) = 32),
    secret_key   BLOB NOT NULL CHECK (length(secret_key) = 32),
    origin       TEXT NOT NULL CHECK (origin IN ('created', 'imported')),
    created_at   INTEGER NOT NULL,
    certificate  TEXT
  ) STRICT;
`;
