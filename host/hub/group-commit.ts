import type { Batch } from '../../firmware/batch/batch.js';
import type { Cartridge } from '../store/cartridge.js';
import type { IngestResult } from '../store/ingest.js';

/**
 * Group commit for uplinks: batches that arrive while the hub is busy are
 * stored together with one durable commit (one fsync) instead of one each,
 * which is where a SQLite hub spends most of its time under load. Every
 * batch still gets its own result, and its reply waits for the commit, so
 * an acknowledgement still means "on disk".
 */
export class GroupCommit {
  private queue: { batch: Batch; resolve: (r: IngestResult) => void; reject: (e: Error) => void }[] = [];
  private scheduled = false;
  readonly stats = { commits: 0, batches: 0 };

  constructor(
    private readonly cartridge: Cartridge,
    private readonly maxGroup = 64,
  ) {}

  submit(batch: Batch): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks already queued: requests that arrived together commit together.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length) {
      const group = this.queue.splice(0, this.maxGroup);
      let results: (IngestResult | Error)[];
      try {
        results = this.cartridge.ingestMany(group.map((g) => g.batch));
      } catch (e) {
        for (const g of group) g.reject(e instanceof Error ? e : new Error(String(e)));
        continue;
      }
      this.stats.commits++;
      this.stats.batches += group.length;
      results.forEach((r, i) => (r instanceof Error ? group[i].reject(r) : group[i].resolve(r)));
    }
  }
}
