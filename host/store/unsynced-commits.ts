import type { Db } from './open-cartridge.js';

/** PRAGMA synchronous values (sqlite.org/pragma.html#pragma_synchronous). */
const NORMAL = 1;
const FULL = 2;

/** One PASSIVE checkpoint's answer (sqlite.org/pragma.html#pragma_wal_checkpoint). */
export interface CheckpointRun {
  /** Frames in the WAL, and how many of them are in the database file now. */
  walFrames: number;
  checkpointed: number;
}

/**
 * The connection's commits made without an fsync, and what makes them
 * durable before anything of them leaves the process.
 *
 * run(fn) commits with synchronous=NORMAL: in WAL mode a commit is written
 * to the WAL, not fsynced. Only for what the hub derives again from the log
 * at start (percepts): a kill -9 loses nothing (the frames are in the OS's
 * cache), a power loss loses the frames after the last sync, and the
 * rebuild derives them again as new entries (new time, new hash) at the same
 * seqs. That is harmless while nobody outside saw the lost ones; a peer that
 * pulled one would hold a fork of this hub's chain. So whatever hands the
 * hub's chain to the outside (a mesh page or heads, NATS, an export, a
 * backup) reads it, then calls durable(), then sends.
 *
 * What syncs, in SQLite 3.53's wal.c (better-sqlite3's amalgamation):
 * - a commit with synchronous=FULL: sqlite3WalFrames fsyncs the WAL file
 *   when a transaction's frames end (`isCommit && WAL_SYNC_FLAGS`), and
 *   fsync covers the whole file, so every frame before it. A commit that
 *   wrote no page writes no frame and syncs nothing, so durable() writes one
 *   page: PRAGMA user_version set to its own value (page 1, one frame).
 * - a checkpoint only sometimes: walCheckpoint fsyncs the WAL just before it
 *   copies frames into the database file, so only when there are frames it
 *   may copy. With everything already copied, or a reader's snapshot
 *   holding back the frames after those already copied, or read lock 0 busy
 *   (PASSIVE never waits), it syncs nothing and the unsynced tail stays
 *   unsynced. But every frame it reports copied (`checkpointed`) was synced
 *   before it was copied; so a run that reports all frames copied means all
 *   are on disk, and clears what is pending. checkpoint() does that check.
 */
export class UnsyncedCommits {
  /**
   * Whether unsynced commits may be pending. True at open: an earlier run
   * killed before its next sync, or another connection (the hub while a CLI
   * command reads), may have left frames that are in the OS's cache only.
   */
  private unsynced = true;
  /** Counts run()s: a sync made outside SQLite (WalSync) clears pending only if no unsynced commit started after it began. */
  private generation = 0;

  constructor(private readonly db: Db) {}

  get pending(): boolean {
    return this.unsynced;
  }

  /**
   * Runs fn with the connection's commits unsynced. Inside a transaction fn
   * runs as it is: the outer commit is the one that syncs or not. The
   * setting is restored even if fn throws.
   */
  run<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.unsynced = true;
    this.generation++;
    const before = this.db.pragma('synchronous', { simple: true }) as number;
    if (before <= NORMAL) return fn();
    this.db.pragma(`synchronous = ${NORMAL}`);
    try {
      return fn();
    } finally {
      if (this.db.open) this.db.pragma(`synchronous = ${before}`);
    }
  }

  /**
   * Makes every commit so far durable: one synced commit (one fsync) when
   * unsynced ones may be pending, nothing otherwise. Returns whether it
   * synced. Throws inside a transaction (its commit is the caller's, and
   * comes after whatever the caller would send) and on a connection that
   * does not sync its commits.
   */
  durable(): boolean {
    if (!this.unsynced) return false;
    if (this.db.inTransaction) throw new Error('durable() inside a transaction: commit it first, then make it durable');
    const sync = this.db.pragma('synchronous', { simple: true }) as number;
    if (sync < FULL) throw new Error(`durable() needs a connection with synchronous=FULL or EXTRA, this one has ${sync}`);
    const version = this.db.pragma('user_version', { simple: true }) as number;
    this.db.pragma(`user_version = ${version}`);
    this.unsynced = false;
    return true;
  }

  /** The commits so far, for synced(): taken when a sync of the WAL file begins. */
  mark(): number {
    return this.generation;
  }

  /**
   * The WAL file was synced (fdatasync, WalSync) after mark() returned
   * `mark`: every commit before it is on disk. Pending clears only if no
   * unsynced commit started since; one that did may have written frames
   * after the sync covered the file.
   */
  synced(mark: number): void {
    if (mark === this.generation) this.unsynced = false;
  }

  /** One PASSIVE checkpoint; one that copied every frame (so every frame was synced first) clears what is pending. */
  checkpoint(): CheckpointRun {
    const [row] = this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    if (row.busy === 0 && row.log >= 0 && row.checkpointed === row.log) this.unsynced = false;
    return { walFrames: row.log, checkpointed: row.checkpointed };
  }
}
