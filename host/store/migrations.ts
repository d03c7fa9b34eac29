import type Database from 'better-sqlite3';
import { CHECKPOINTS_SQL } from './migration-checkpoints.js';
import { COMPACT_SQL, copyEventsToEntries } from './migration-compact.js';
import { FIRMWARE_SQL } from './migration-firmware.js';
import { HUB_IDENTITY_SQL } from './migration-hub-identity.js';
import { MESH_SQL } from './migration-mesh.js';
import { PEER_CHAINS_SQL } from './migration-peer-chains.js';
import { MESH_SCOPE_SQL } from './migration-mesh-scope.js';
import { PENDING_EFFECTS_SQL } from './migration-pending-effects.js';
import { ROLLUPS_SQL } from './migration-rollups.js';
import { BLE_SQL } from './migration-ble.js';
import { RETENTION_SQL } from './migration-retention.js';
import { RULES_CURSOR_SQL } from './migration-rules-cursor.js';
import { RULES_SNAPSHOT_SQL } from './migration-rules-snapshot.js';
import { ENTRY_COUNTS_SQL } from './migration-entry-counts.js';

/**
 * The cartridge's schema as numbered steps, applied in order, each in its own
 * transaction together with its row in `migrations`. A step, once released,
 * never changes: a new need is a new step.
 *
 * The event log (events, entries from step 8) is append-only: the code has
 * no UPDATE or DELETE path for it, and triggers refuse both so nothing else
 * can either. WITHOUT ROWID clusters the rows by (node, seq), the order a
 * node's chain is read in.
 */
export interface MigrationStep {
  step: number;
  name: string;
  sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction (step 8 decodes CBOR). */
  run?: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly MigrationStep[] = [
  {
    step: 1,
    name: 'nodes, events, gaps, invites',
    sql: `
      CREATE TABLE nodes (
        id          TEXT PRIMARY KEY,
        public_key  BLOB NOT NULL UNIQUE,
        name        TEXT,
        board       TEXT,
        enrolled_at INTEGER NOT NULL,
        head_seq    INTEGER NOT NULL DEFAULT 0,
        head_hash   BLOB
      ) STRICT;
      CREATE TABLE events (
        node        TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        id          TEXT NOT NULL,
        type        TEXT NOT NULL,
        source      TEXT NOT NULL,
        time        INTEGER NOT NULL,
        prev        BLOB NOT NULL,
        hash        BLOB NOT NULL,
        data        BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (node, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX events_by_type ON events (type, node, seq);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TABLE gaps (
        node     TEXT NOT NULL,
        from_seq INTEGER NOT NULL,
        to_seq   INTEGER NOT NULL,
        at       INTEGER NOT NULL,
        PRIMARY KEY (node, from_seq)
      ) STRICT;
      CREATE TABLE invites (
        token_hash BLOB PRIMARY KEY,
        expires_at INTEGER NOT NULL,
        used_at    INTEGER,
        used_by    TEXT,
        created_at INTEGER NOT NULL,
        note       TEXT
      ) STRICT;
    `,
  },
  {
    step: 2,
    name: 'beacon peers, clock state',
    sql: `
      CREATE TABLE peers (
        id          TEXT PRIMARY KEY,
        public_key  BLOB NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('hub', 'node')),
        name        TEXT NOT NULL,
        board       TEXT NOT NULL,
        version     TEXT NOT NULL,
        services    TEXT NOT NULL,
        address     TEXT NOT NULL,
        port        INTEGER NOT NULL,
        record      BLOB NOT NULL,
        signature   BLOB NOT NULL,
        first_seen  INTEGER NOT NULL,
        last_seen   INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE clock_state (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        offset_ms   REAL NOT NULL,
        drift_ppm   REAL NOT NULL,
        sources     INTEGER NOT NULL,
        spread_ms   REAL NOT NULL,
        synced_at   INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    step: 3,
    name: 'events.clock',
    // Which clock stamped the event (firmware/event/envelope.ts EVENT_CLOCKS);
    // NULL for events without the field, so they hash as they were signed.
    sql: `
      ALTER TABLE events ADD COLUMN clock TEXT CHECK (clock IS NULL OR clock IN ('rtc', 'hub', 'unsynced'));
    `,
  },
  {
    step: 4,
    name: 'clock_state.boot_id',
    // The boot the offset was measured in: after a reboot (a Pi without a
    // real-time clock restarts its clock from wherever) only the drift is kept.
    sql: `
      ALTER TABLE clock_state ADD COLUMN boot_id TEXT;
    `,
  },
  {
    step: 5,
    name: 'nodes.kind',
    // The hub keeps its own signed chain (host/hub/hub-log.ts) in the same tables,
    // registered under its own key as kind 'hub'; every row before this step is a node.
    sql: `
      ALTER TABLE nodes ADD COLUMN kind TEXT NOT NULL DEFAULT 'node' CHECK (kind IN ('node', 'hub'));
      `,
  },
  {
    step: 6,
    name: 'commands',
    // The command queue of the downlink (host/store/commands.ts): per node a
    // seq from 1; `cause` is the id of the hub event that asked for it,
    // `result` the id of the node-signed effect event that settled it.
    sql: `
      CREATE TABLE commands (
        id         TEXT PRIMARY KEY,
        node       TEXT NOT NULL,
        seq        INTEGER NOT NULL CHECK (seq >= 1),
        action     TEXT NOT NULL,
        not_after  INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        cause      TEXT,
        state      TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'delivered', 'applied', 'failed', 'expired', 'refused')),
        result     TEXT,
        UNIQUE (node, seq)
      ) STRICT;
      CREATE INDEX commands_by_state ON commands (node, state, seq);
    `,
  },
  {
    step: 7,
    name: 'dictionaries',
    // The dictionaries of compact batches (firmware/batch/compact-batch.ts) each node
    // sent whole, by their hash: later batches name them (host/store/dictionaries.ts).
    sql: `
      CREATE TABLE dictionaries (
        node     TEXT NOT NULL,
        hash     BLOB NOT NULL,
        items    BLOB NOT NULL,
        kept_at  INTEGER NOT NULL,
        PRIMARY KEY (node, hash)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    step: 8,
    name: 'compact at rest: entries, names, node_refs; views events_v, readings_v',
    // The events table becomes entries (host/store/migration-compact.ts).
    sql: COMPACT_SQL,
    run: copyEventsToEntries,
  },
  {
    step: 9,
    name: 'owner tokens; nodes retired and revoked',
    // Owner access (host/store/owner-tokens.ts): a token's SHA-256 only, never
    // the secret. A retired node keeps its history and is no longer expected;
    // a revoked node's key is refused (host/store/node-status.ts).
    sql: `
      CREATE TABLE tokens (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        scope        TEXT NOT NULL CHECK (scope IN ('read', 'admin', 'metrics')),
        hash         BLOB NOT NULL UNIQUE,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER,
        revoked_at   INTEGER,
        last_used_at INTEGER
      ) STRICT;
      ALTER TABLE nodes ADD COLUMN retired_at INTEGER;
      ALTER TABLE nodes ADD COLUMN revoked_at INTEGER;
    `,
  },
  {
    step: 10,
    name: 'hub identity: key pair and certificate',
    // The hub is itself wherever its cartridge goes (host/store/migration-hub-identity.ts);
    // a data folder's hub-key.json is imported on the hub's first start (host/hub/hub-key.ts).
    sql: HUB_IDENTITY_SQL,
  },
  {
    step: 11,
    name: 'reading rollups per minute, ten minutes and hour, backfilled',
    // Series over long ranges read these instead of every reading (host/store/migration-rollups.ts).
    sql: ROLLUPS_SQL,
  },
  {
    step: 12,
    name: 'firmware images: manifest, hub signature, bytes',
    // What `fazt firmware publish` stores and nodes fetch in chunks (host/store/migration-firmware.ts).
    sql: FIRMWARE_SQL,
  },
  {
    step: 13,
    name: "checkpoints: each accepted batch's signed head",
    // A stored log verifiable at rest (host/store/migration-checkpoints.ts); older entries have none.
    sql: CHECKPOINTS_SQL,
  },
  {
    step: 14,
    name: 'mesh: paired hubs, pairing invites, peer heads, forks, refusals',
    // Hubs replicating each other's signed logs (host/store/migration-mesh.ts, host/mesh/).
    sql: MESH_SQL,
  },
  {
    step: 15,
    name: "nodes.kind 'peer': a paired hub's chain",
    // Replicated by the mesh only (host/store/migration-peer-chains.ts, host/mesh/).
    sql: PEER_CHAINS_SQL,
  },
  {
    step: 16,
    name: 'mesh: which nodes each peer replicates',
    // Step 15 is the sync protocol's; this one is pairing's (host/mesh/replication-scope.ts).
    sql: MESH_SCOPE_SQL,
  },
  {
    step: 17,
    name: 'BTHome devices: key, last accepted counter',
    // BLE sensors on the hub; the counter persists so a restart does not reopen replays (host/store/ble-devices.ts).
    sql: BLE_SQL,
  },
  {
    step: 18,
    name: 'pending effects: agent proposals waiting for a person',
    // An MCP agent's request_effect runs only once confirmed (host/store/pending-effects.ts, host/mcp/).
    sql: PENDING_EFFECTS_SQL,
  },
  {
    step: 19,
    name: 'retention: pruned ranges of raw readings, deletable only under a signed summary',
    // Old raw readings give way to their rollups (host/store/migration-retention.ts, host/store/retention-pass.ts).
    sql: RETENTION_SQL,
  },
  {
    step: 20,
    name: "rules cursor: how far the rules' decisions are committed",
    // A firing cut by kill -9 is carried out after the restart, once (host/store/rules-cursor.ts, host/effect/rule-service.ts).
    sql: RULES_CURSOR_SQL,
  },
  {
    step: 21,
    name: "rules snapshot: the rule engine's state and the log position it stands at",
    // A start replays only what was stored after it (host/store/rules-snapshot.ts, host/effect/rule-service.ts).
    sql: RULES_SNAPSHOT_SQL,
  },
  {
    step: 22,
    name: "entry counts: each chain's stored entries, kept as they are stored and pruned",
    // Listing the nodes no longer counts every chain's log (host/store/migration-entry-counts.ts).
    sql: ENTRY_COUNTS_SQL,
  },
];
