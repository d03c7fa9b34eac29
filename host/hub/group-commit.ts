import type { Batch } from '../../firmware/batch/batch.js';
import type { CompactDictionary } from '../../firmware/batch/compact-dictionary.js';
import type { Cartridge } from '../store/cartridge.js';
import type { IngestResult } from '../store/ingest.js';

export interface GroupCommitOptions {
  /** The longest a batch waits for others to share its commit (default 10 ms, about one commit's fsync on an SD card). */
  maxWaitMs?: number;
  /** A monotonic clock in ms (default performance.now; tests freeze it). */
  now?: () => number;
}

/**
 * Group commit for uplinks: batches that arrive while the hub is busy are
 * stored together with one durable commit (one fsync) instead of one each,
 * which is where a SQLite hub spends most of its time under load. Every
 * batch still gets its own result, and its reply waits for the commit, so
 * an acknowledgement still means "on disk".
 *
 * One group of at most `maxGroup` batches a turn of the event loop: the
 * replies of a group go out, and new requests are read, before the next
 * group is stored. Storing every queued group back to back in one turn
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

  private flush(): void {
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
      results = this.cartridge.ingestMany(
        group.map((g) => g.batch),
        group.map((g) => g.carried),
      );
    } catch (e) {
      for (const g of group) g.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.stats.commits++;
    this.stats.batches += group.length;
    results.forEach((r, i) => (r instanceof Error ? group[i].reject(r) : group[i].resolve(r)));
  }
}
