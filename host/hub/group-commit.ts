import type { Batch } from '../../firmware/batch/batch.js';
import type { CompactDictionary } from '../../firmware/batch/compact-dictionary.js';
import type { Cartridge } from '../store/cartridge.js';
import type { IngestResult } from '../store/ingest.js';

export interface GroupCommitOptions {
  /** The longest a batch waits for others to share its commit (default 10 ms). */
  maxWaitMs?: number;
  /** A monotonic clock in ms (default performance.now; tests freeze it). */
  now?: () => number;
  /**
   * Makes every commit so far durable (default the cartridge's syncWal: an
   * fdatasync of the WAL off the event loop, coalesced); tests hold or fail it.
   */
  sync?: () => Promise<void>;
  /** Told once, of the first failed sync (the hub logs it: from then on every uplink is refused until a restart). */
  onSyncFailed?: (e: Error) => void;
}

/**
 * Group commit for uplinks: batches that arrive while the hub is busy are
 * stored together with one commit instead of one each. Every batch still
 * gets its own result, and its reply waits for the commit to be on disk,
 * so an acknowledgement still means "on disk".
 *
 * The commit itself does not fsync (synchronous=NORMAL): its frames go to
 * the WAL with write(), and the WAL is then synced off the event loop
 * (Cartridge.syncWal, host/store/wal-sync.ts) before the group's results
 * resolve. A synced commit held the one JS thread for its fsync (~5 ms,
 * 50-60 groups a second under 1,000 nodes): requests queued behind it.
 * Now the loop reads requests and commits the next groups while a sync
 * runs; they share the next one. A failed sync rejects every batch of the
 * groups it covered (StoreError 'sync-failed'), and all after it.
 *
 * One group of at most `maxGroup` batches a turn of the event loop: new
 * requests are read (and the replies of groups whose sync is done go out)
 * before the next group is stored. Storing every queued group back to back in one turn
 * held the loop for hundreds of milliseconds under 1,000 nodes, each
 * group's replies waiting for all the groups after it (bench/soak).
 *
 * A group waits while each turn brings more batches (up to `maxGroup`, or
 * `maxWaitMs`): Node (libuv 1.45 and later) accepts one connection a turn,
 * so a fleet reconnecting at once (a power cut, a hub restart) arrives one
 * batch a turn, and committing each turn's one batch made every turn as long
 * as an fsync: the others waited in the kernel's accept queue for seconds.
 */
export class GroupCommit {
  private queue: { batch: Batch; carried?: CompactDictionary; at: number; resolve: (r: IngestResult) => void; reject: (e: Error) => void }[] = [];
  private scheduled = false;
  /** Batches submitted since the last turn's look at the queue. */
  private arrived = 0;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly sync: () => Promise<void>;
  private readonly onSyncFailed: (e: Error) => void;
  private syncFailed = false;
  /** hold()s running: no group is stored meanwhile. */
  private held = 0;
  readonly stats = { commits: 0, batches: 0 };

  constructor(
    private readonly cartridge: Cartridge,
    private readonly maxGroup = 16,
    options: GroupCommitOptions = {},
  ) {
    if (!(Number.isSafeInteger(maxGroup) && maxGroup >= 1)) throw new RangeError(`maxGroup must be a whole number of at least 1, got ${maxGroup}`);
    this.maxWaitMs = options.maxWaitMs ?? 10;
    if (!(this.maxWaitMs >= 0)) throw new RangeError(`options.maxWaitMs must be a number of at least 0, got ${options.maxWaitMs}`);
    this.now = options.now ?? (() => performance.now());
    this.sync = options.sync ?? (() => cartridge.syncWal());
    this.onSyncFailed = options.onSyncFailed ?? (() => {});
  }

  /** `carried`: the dictionary a compact batch carried whole, kept in the same commit once the batch is stored. */
  submit(batch: Batch, carried?: CompactDictionary): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, carried, at: this.now(), resolve, reject });
      this.arrived++;
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks already queued: requests that arrived together commit together.
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Runs `work` with no group stored until it settles: batches keep arriving
   * and wait in the queue, the event loop is never blocked. For a WAL
   * checkpoint that must see no commit to finish (host/store/wal-checkpoints.ts).
   */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.held++;
    try {
      return await work();
    } finally {
      if (--this.held === 0 && this.queue.length > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }
  }

  private flush(): void {
    if (this.held > 0) {
      this.scheduled = false; // hold() schedules the flush when it ends
      return;
    }
    const arrived = this.arrived;
    this.arrived = 0;
    // More came this turn, and more may come next turn: wait one more turn, within the bounds.
    if (arrived > 0 && this.queue.length < this.maxGroup && this.now() - this.queue[0].at < this.maxWaitMs) {
      setImmediate(() => this.flush());
      return;
    }
    const group = this.queue.splice(0, this.maxGroup);
    // The rest waits for the next turn, after this group's replies are written.
    if (this.queue.length) setImmediate(() => this.flush());
    else this.scheduled = false;
    let results: (IngestResult | Error)[];
    try {
      results = this.cartridge.ingestManyUnsynced(
        group.map((g) => g.batch),
        group.map((g) => g.carried),
      );
    } catch (e) {
      for (const g of group) g.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.stats.commits++;
    this.stats.batches += group.length;
    // A replay's ack too waits for the sync: what it acknowledges may be a group still unsynced.
    this.sync().then(
      () => results.forEach((r, i) => (r instanceof Error ? group[i].reject(r) : group[i].resolve(r))),
      (e: unknown) => {
        const failed = e instanceof Error ? e : new Error(String(e));
        if (!this.syncFailed) this.onSyncFailed(failed);
        this.syncFailed = true;
        results.forEach((r, i) => group[i].reject(r instanceof Error ? r : failed));
      },
    );
  }
}
