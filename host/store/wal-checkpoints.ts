import type { Cartridge } from './cartridge.js';
import type { CheckpointRun } from './unsynced-commits.js';

/** SQLite's own auto-checkpoint threshold in pages (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT), put back by stop(). */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/**
 * While the timer runs, a commit still checkpoints past this many pages (16 MiB of 4-KiB pages): the
 * WAL's bound when the timer is held up (a start's storm of first batches, a blocked event loop).
 */
export const BACKSTOP_PAGES = 4000;

/**
 * The hub's WAL checkpoints, off the ingest path. SQLite's auto-checkpoint
 * runs inside the commit that crosses its threshold, so the batches whose
 * acknowledgement waited for that commit waited for the checkpoint too
 * (copying ~4 MB into the database and syncing it). Here a PASSIVE
 * checkpoint runs on a timer of its own, between commits: it copies what no
 * reader still needs, never waits for a lock, and keeps the WAL at about
 * `everyMs` worth of writes; the connection's auto-checkpoint is raised to
 * BACKSTOP_PAGES, which only a held-up timer lets the WAL reach.
 * Durability is not touched: with synchronous=FULL a commit is on disk in
 * the WAL before it returns, checkpointed or not. A run that copies every
 * frame tells the cartridge that its unsynced commits (percepts) are on
 * disk too (Cartridge.checkpoint), so what serves the hub's chain usually
 * finds nothing left to sync.
 */
export class WalCheckpoints {
  private timer: NodeJS.Timeout | undefined;

  /** `onError`: a checkpoint that failed (a full disk, an I/O error); the next is tried at its time, nothing committed is lost. */
  constructor(
    private readonly cartridge: Cartridge,
    private readonly onError: (e: Error) => void,
    private readonly everyMs = 1000,
  ) {
    if (!Number.isSafeInteger(everyMs) || everyMs < 1) throw new RangeError(`everyMs must be a whole number of ms of at least 1, got ${everyMs}`);
  }

  start(): void {
    this.cartridge.db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    this.plan();
  }

  /** One PASSIVE checkpoint: the WAL's frames, and how many of them are now in the database file. */
  run(): CheckpointRun {
    return this.cartridge.checkpoint();
  }

  /** Stops the timer and gives the connection SQLite's auto-checkpoint back (a closed one needs nothing). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.cartridge.db.open) this.cartridge.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  }

  private plan(): void {
    this.timer = setTimeout(() => {
      if (!this.cartridge.db.open) return;
      try {
        this.run();
      } catch (e) {
        this.onError(e instanceof Error ? e : new Error(String(e)));
      }
      this.plan();
    }, this.everyMs);
    this.timer.unref();
  }
}
