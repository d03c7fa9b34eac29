import { close, fdatasync, fstatSync, fsync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Db } from './open-cartridge.js';
import { StoreError } from './store-error.js';
import type { UnsyncedCommits } from './unsynced-commits.js';

/** Makes the file behind `fd` durable; the default is fdatasync in libuv's threadpool (tests inject one they hold or fail). */
export type SyncFd = (fd: number) => Promise<void>;

const datasync: SyncFd = (fd) => new Promise((done, fail) => fdatasync(fd, (e) => (e ? fail(e) : done())));
const fullSync: SyncFd = (fd) => new Promise((done, fail) => fsync(fd, (e) => (e ? fail(e) : done())));
const closeQuietly = (fd: number) => close(fd, () => {});

export interface WalSyncParts {
  /** The cartridge's file: its WAL is `<file>-wal`, beside it. */
  file: string;
  /** The cartridge's connection: open or closed, or in memory (nothing to sync). */
  db: Db;
  /** What a sync clears when no unsynced commit came after it began. */
  unsynced: UnsyncedCommits;
  syncFd?: SyncFd;
}

/**
 * Syncs the cartridge's WAL file off the event loop: commits made with
 * synchronous=NORMAL (the group commit's) are written to the WAL with
 * write() and no fsync; sync() makes them durable with one fdatasync of the
 * WAL file in libuv's threadpool, while the loop goes on parsing requests
 * and committing groups. At most one sync runs; every sync() made while it
 * runs waits for the next one, which covers them all (an fsync covers the
 * whole file, so every frame written before it began).
 *
 * Why a sync of the WAL file by its own descriptor is enough, in SQLite
 * 3.53's wal.c (better-sqlite3's amalgamation):
 * - The file: the WAL is created when the database is opened in WAL mode
 *   and deleted only when the last connection closes (sqlite3WalClose,
 *   after a checkpoint that copied everything). The descriptor is opened
 *   here, on the loop, while this connection is open, so it is the WAL the
 *   commits wrote to; a sync() once the connection closed is refused (it
 *   could open a WAL some later connection made, and claim nothing true).
 *   The directory entry of each new WAL file is synced once, as SQLite's
 *   first sync of a new journal does (UNIXFILE_DIRSYNC in os_unix.c).
 * - A checkpoint between the commit and the sync: walCheckpoint fsyncs the
 *   WAL before it copies frames into the database file and fsyncs the
 *   database file after (the connection runs it with synchronous=FULL; in
 *   NORMAL too), so what it copied was on disk before the copy.
 * - A WAL restart (walRestartLog) overwrites frames from the start only
 *   once every frame was checkpointed (nBackfill == mxFrame): those are in
 *   the synced database file. journal_size_limit truncates only then too.
 *   A restart writes a new WAL header and syncs it in the commit itself
 *   (walFrames, `syncHeader`): the one sync left on the loop, once per
 *   restart.
 * - A failed fsync (EIO) leaves it unknown what is on disk, and Linux may
 *   clear the pages' error with the report, so a later sync can succeed
 *   without them: the first failure is kept, and every later sync() (and
 *   Cartridge.durable) refuses with it until the cartridge is opened again.
 *   The commits stay in the open connection (a resent batch is a replay),
 *   which is why nothing may be acknowledged from this process again.
 */
export class WalSync {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private failure: StoreError | undefined;
  /** The WAL file (device:inode) whose directory entry was synced. */
  private dirSynced: string | undefined;
  private readonly wal: string;
  private readonly syncFd: SyncFd;
  readonly stats = { syncs: 0 };

  constructor(private readonly p: WalSyncParts) {
    this.wal = `${resolve(p.file)}-wal`;
    this.syncFd = p.syncFd ?? datasync;
  }

  /**
   * Resolves once every commit made before the call is on disk; rejects
   * with StoreError 'sync-failed' when the WAL could not be synced (then
   * and ever after), or 'io' when the cartridge closed first.
   */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.p.db.memory) return Promise.resolve();
    if (!this.running) {
      // Nothing unsynced (a checkpoint or durable() synced it all): nothing to wait for.
      if (!this.p.unsynced.pending) return Promise.resolve();
      this.running = this.once().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running
      .then(
        () => {},
        () => {},
      )
      .then(() => {
        this.queued = undefined;
        return this.sync();
      });
    return this.queued;
  }

  /** The failure that ended syncing on this connection, if one did. */
  get failed(): StoreError | undefined {
    return this.failure;
  }

  private async once(): Promise<void> {
    if (!this.p.db.open) throw new StoreError('io', 'the cartridge closed before its last commits were synced: they are not known to be on disk');
    const mark = this.p.unsynced.mark();
    let fd: number;
    try {
      fd = openSync(this.wal, 'r');
    } catch (e) {
      throw this.fail(e);
    }
    try {
      const { dev, ino } = fstatSync(fd);
      await this.syncFd(fd);
      if (this.dirSynced !== `${dev}:${ino}`) {
        const dir = openSync(dirname(this.wal), 'r');
        try {
          await fullSync(dir);
        } finally {
          closeQuietly(dir);
        }
        this.dirSynced = `${dev}:${ino}`;
      }
    } catch (e) {
      throw this.fail(e);
    } finally {
      closeQuietly(fd);
    }
    this.stats.syncs++;
    this.p.unsynced.synced(mark);
  }

  private fail(e: unknown): StoreError {
    const code = (e as { code?: unknown } | null)?.code;
    this.failure = new StoreError(
      'sync-failed',
      `the hub's disk failed to make stored data durable (${typeof code === 'string' ? code : 'sync error'}): nothing is acknowledged until the hub is restarted`,
      { cause: e },
    );
    return this.failure;
  }
}
