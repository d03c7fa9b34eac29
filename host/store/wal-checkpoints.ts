import type { Cartridge } from './cartridge.js';
import { CheckpointThread } from './checkpoint-thread.js';
import type { CheckpointRun } from './unsynced-commits.js';

/** SQLite's own auto-checkpoint threshold in pages (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT), put back by stop(). */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/**
 * While the timer runs, a commit still checkpoints past this many pages (40 MiB of 4-KiB pages): the
 * WAL's bound when the timer is held up (a start's storm of first batches, a blocked event loop). Far
 * above RESTART_PAGES: 1,000 nodes write ~2,000 frames a second, and a run on a loaded machine can take
 * a second, so a WAL the quiet runs keep started over never reaches it.
 */
export const BACKSTOP_PAGES = 10_000;
/**
 * A run on the thread that finds at least this many frames (8 MiB) in the WAL is followed by a quiet one
 * (commits held), and the next commit starts the WAL over.
 */
export const RESTART_PAGES = 2000;

/** Runs `work` while the hub's uplink commits wait (GroupCommit.hold): a checkpoint then copies every frame. */
export type HoldCommits = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * The hub's WAL checkpoints, off the ingest path. SQLite's auto-checkpoint
 * runs inside the commit that crosses its threshold, so the batches whose
 * acknowledgement waited for that commit waited for the checkpoint too
 * (copying ~4 MB into the database and syncing it). Here a PASSIVE
 * checkpoint runs on a timer of its own, between commits: it copies what no
 * reader still needs, never waits for a lock, and keeps the WAL at about
 * `everyMs` worth of writes; the connection's auto-checkpoint is raised to
 * BACKSTOP_PAGES, which only a held-up timer lets the WAL reach.
 * The checkpoint itself runs on a thread of its own (CheckpointThread), so
 * its copy and fsyncs are no turn of the hub's event loop; where that
 * thread is not available (the single executable) or died, in the loop.
 * Durability is not touched: a commit is durable as its own sync makes it,
 * checkpointed or not. A run in the loop that copies every frame tells the
 * cartridge that its unsynced commits (percepts) are on disk too
 * (Cartridge.checkpoint); a run on the thread does not (a commit of the
 * loop's may come between its copy and its answer): what serves the hub's
 * chain then syncs what is pending itself (Cartridge.durable).
 *
 * SQLite starts the WAL over only at a write transaction that finds every
 * frame copied. Under steady ingest (1,000 nodes: a commit every ~30 ms, a
 * run on the thread 25-230 ms, most of it the database file's fsync) a
 * commit always lands during a run, so the thread's runs never finished
 * the WAL, it reached the backstop (then 4,000 pages) every ~2 s and the commit that crossed
 * it checkpointed on the event loop: a copy and two fsyncs, 25-230 ms in
 * which no request was served (strace in bench/soak). A run copies the
 * frames there were when it began and says it copied them all, whatever
 * was committed meanwhile; so a run that finds RESTART_PAGES or more in
 * the WAL (it was not started over for a while) is followed at once by a
 * quiet one: the uplink commits wait (`hold`, without blocking the loop)
 * while it copies the few frames the first run left and syncs, and the
 * next commit starts the WAL over. A commit of another kind landing meanwhile (a timer's
 * percept) only leaves the quiet run short of the end: nothing waits on it,
 * the next run tries again.
 */
export class WalCheckpoints {
  private timer: NodeJS.Timeout | undefined;
  private thread: CheckpointThread | undefined;
  private started = false;

  /** `onError`: a checkpoint that failed (a full disk, an I/O error); the next is tried at its time, nothing committed is lost. */
  constructor(
    private readonly cartridge: Cartridge,
    private readonly onError: (e: Error) => void,
    private readonly everyMs = 1000,
    private readonly hold?: HoldCommits,
  ) {
    if (!Number.isSafeInteger(everyMs) || everyMs < 1) throw new RangeError(`everyMs must be a whole number of ms of at least 1, got ${everyMs}`);
  }

  start(): void {
    this.cartridge.db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    this.started = true;
    this.plan();
  }

  /** One PASSIVE checkpoint: the WAL's frames, and how many of them are now in the database file. */
  run(): Promise<CheckpointRun> {
    // Made at the first run, not at start: a worker is a V8 instance and the SQLite addon loaded again (~0.1 s of CPU), which a hub need not pay before it listens.
    if (this.started && this.thread === undefined && CheckpointThread.available(this.cartridge.file)) this.thread = new CheckpointThread(this.cartridge.file);
    const thread = this.thread;
    if (thread && !thread.error) return thread.run();
    try {
      return Promise.resolve(this.cartridge.checkpoint());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Stops the timer and the thread and gives the connection SQLite's auto-checkpoint back (a closed one needs nothing). */
  stop(): void {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.thread?.stop();
    this.thread = undefined;
    if (this.cartridge.db.open) this.cartridge.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  }

  /** The next run `everyMs` after the last one ended (one at a time, however long one takes). */
  private plan(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.cartridge.db.open) return;
      this.run()
        .then((r) => (this.hold && this.thread && r.walFrames >= RESTART_PAGES ? this.hold(() => this.run()) : r))
        .then(
          () => this.next(),
          (e: unknown) => {
            if (!this.started) return; // stopped meanwhile: the thread's run was cut short, nothing failed
            this.onError(e instanceof Error ? e : new Error(String(e)));
            this.next();
          },
        );
    }, this.everyMs);
    this.timer.unref();
  }

  private next(): void {
    if (this.started && this.timer === undefined && this.cartridge.db.open) this.plan();
  }
}
