import type { Statement } from 'better-sqlite3';
import type { ValueMap } from '../../firmware/codec/value.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { Cartridge } from './cartridge.js';
import { READING_TYPE } from './event-rows.js';
import { PrunedRanges } from './pruned-ranges.js';

/** The summary event's type on the hub's chain (schemas/event-data.schema.json). */
export const PRUNED_TYPE = 'system.retention.pruned';

/** Raw readings are kept this long by default (`fazt hub --retain-raw`). */
export const DEFAULT_KEEP_RAW_MS = 30 * 86_400_000;

/** Where the summaries go: the hub's own chain (host/hub/hub-log.ts), as much of it as the pass needs. */
interface SummaryChain {
  readonly id: string;
  append(type: string, component: string, data: ValueMap): { seq: number };
  atomically<T>(fn: () => T): T;
}

export interface RetentionPassOptions {
  cartridge: Cartridge;
  hubLog: SummaryChain;
  crypto: CryptoProvider;
  /** Raw readings received more than this long before `now` may be pruned. */
  keepMs: number;
  /** The hub's clock. */
  clock: () => number;
  /** Rows a range (and so a transaction) aims at; it ends on the last checkpoint within them (default 1024). */
  maxRows?: number;
  /** Rows read a query while looking for a range (default 8192). */
  scanRows?: number;
}

/** One range pruned (and summarised) by a step. */
export interface PrunedStep {
  node: string;
  first: number;
  last: number;
  count: number;
  /** The summary's seq on the hub's chain. */
  summary: number;
}

type Scanned = [seq: number, prunable: number, receivedAt: number, hash: Buffer];

/**
 * One retention pass over every node's chain (issue 19, "Retention"): raw
 * readings older than the policy give way to their rollups (migration step
 * 11, min/max/sum/count per minute, ten minutes and hour, kept in the same
 * transaction as the readings, so every plain-number reading is in them).
 *
 * A step prunes one range: a run of consecutive seqs of one node's chain,
 * all plain-number `sensor.reading` rows received before the cutoff (never
 * an enrolment, command, effect, percept, gap or the hub's and peers'
 * chains), ending on a seq a checkpoint signs, about `maxRows` long (default 1024). The
 * range is read and hashed outside any write; then one transaction appends
 * the signed summary (`system.retention.pruned`: node, first, last, count,
 * the hash over the entries' hashes, the first's prev, the last's hash) to
 * the hub's chain, records the range (pruned_ranges, whose trigger wants
 * that summary) and deletes its rows (whose trigger wants that range),
 * taking them off the chain's entry count. A crash leaves either all of it
 * or none. Steps are small so ingest waits at
 * most one of them; the caller spaces them (host/hub/retention-schedule.ts).
 */
export class RetentionPass {
  private readonly o: RetentionPassOptions;
  private readonly maxRows: number;
  private readonly scanRows: number;
  private readonly pruned: PrunedRanges;
  private readonly scan: Statement<[string, number, number, number], Scanned>;
  private readonly firstReceived: Statement<[number, number], number>;
  private readonly checkpointsIn: Statement<[string, number, number], number>;
  private readonly refOf: Statement<[string], number>;
  private readonly stillThere: Statement<[number, number, number], number>;
  private readonly record: Statement<unknown[]>;
  private readonly remove: Statement<[number, number, number]>;
  private readonly uncount: Statement<[number, string]>;
  private readonly nodes: string[];
  private readonly cursor = new Map<string, number>();
  private readonly cutoff: number;

  constructor(o: RetentionPassOptions) {
    if (!(Number.isSafeInteger(o.keepMs) && o.keepMs >= 0)) throw new RangeError(`keepMs must be a whole number of ms ≥ 0, got ${o.keepMs}`);
    this.o = o;
    this.maxRows = positive('maxRows', o.maxRows ?? 1024);
    this.scanRows = positive('scanRows', o.scanRows ?? 8192);
    const db = o.cartridge.db;
    this.pruned = new PrunedRanges(db);
    this.scan = db
      .prepare<[string, number, number, number], Scanned>(
        `SELECT seq, name IS NOT NULL AND type = (SELECT ref FROM names WHERE name = ?), received_at, hash FROM entries
         WHERE node = ? AND seq >= ? ORDER BY seq LIMIT ?`,
      )
      .raw();
    this.firstReceived = db.prepare<[number, number], number>('SELECT received_at FROM entries WHERE node = ? AND seq >= ? ORDER BY seq LIMIT 1').pluck();
    this.checkpointsIn = db
      .prepare<[string, number, number], number>('SELECT last FROM checkpoints WHERE node = ? AND last BETWEEN ? AND ? ORDER BY last')
      .pluck();
    this.refOf = db.prepare<[string], number>('SELECT ref FROM node_refs WHERE node = ?').pluck();
    this.stillThere = db
      .prepare<[number, number, number], number>('SELECT count(*) FROM entries WHERE node = ? AND seq BETWEEN ? AND ? AND name IS NOT NULL')
      .pluck();
    this.record = db.prepare(
      'INSERT INTO pruned_ranges (node, first, last, count, hash, prev, last_hash, hub, summary, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.remove = db.prepare<[number, number, number]>('DELETE FROM entries WHERE node = ? AND seq BETWEEN ? AND ?');
    // The chain's entry count (migration step 22) loses the deleted rows in the transaction that deletes them.
    this.uncount = db.prepare<[number, string]>('UPDATE nodes SET entry_count = entry_count - ? WHERE id = ?');
    this.nodes = o.cartridge.db.prepare<[], string>("SELECT id FROM nodes WHERE kind = 'node' ORDER BY id").pluck().all();
    this.cutoff = Math.floor(o.clock()) - o.keepMs;
  }

  /** Prunes the next range; undefined once no chain has one left (the pass is over). */
  step(): PrunedStep | undefined {
    while (this.nodes.length > 0) {
      const node = this.nodes[0];
      const done = this.pruneOne(node);
      if (done) return done;
      this.nodes.shift();
    }
    return undefined;
  }

  /** Every step at once (tests, the CLI and the bench; the hub spaces them). */
  runAll(): PrunedStep[] {
    const out: PrunedStep[] = [];
    for (let s = this.step(); s; s = this.step()) out.push(s);
    return out;
  }

  private pruneOne(node: string): PrunedStep | undefined {
    const ref = this.refOf.get(node);
    if (ref === undefined) return undefined;
    for (let first = true; ; first = false) {
      const from = Math.max(this.cursor.get(node) ?? 0, this.pruned.end(node)) + 1;
      // A chain whose next row is younger than the cutoff has nothing to prune: a point lookup rather than a scan of
      // scanRows rows, which for every chain of a 1,000-node hub held the event loop for seconds in one step.
      if (first) {
        const received = this.firstReceived.get(ref, from);
        if (received === undefined || received >= this.cutoff) return undefined;
      }
      const rows = this.scan.all(READING_TYPE, ref, from, this.scanRows);
      const run = this.findRun(rows);
      if (run.stop && !run.range) return undefined;
      if (!run.range) {
        this.cursor.set(node, rows[rows.length - 1][0]);
        continue;
      }
      const { start, end } = run.range;
      const last = this.rangeEnd(node, rows[start][0], rows[end][0]);
      if (last === undefined) {
        this.cursor.set(node, rows[end][0]);
        if (run.stop) return undefined;
        continue;
      }
      const count = last - rows[start][0] + 1;
      const pruned = this.prune(node, ref, rows.slice(start, start + count));
      if (pruned) return pruned;
    }
  }

  /** The first run of prunable consecutive rows in a scan; stop: nothing after it can be (the scan ended or reached the cutoff). */
  private findRun(rows: Scanned[]): { range?: { start: number; end: number }; stop: boolean } {
    let start = -1;
    for (let i = 0; i < rows.length; i++) {
      const [seq, prunable, receivedAt] = rows[i];
      const fresh = receivedAt >= this.cutoff;
      const joins = start >= 0 && seq === rows[i - 1][0] + 1 && prunable === 1 && !fresh;
      if (start >= 0 && !joins) return { range: { start, end: i - 1 }, stop: fresh };
      if (fresh) return { stop: true };
      if (start < 0 && prunable === 1) start = i;
    }
    if (start >= 0) return { range: { start, end: rows.length - 1 }, stop: rows.length < this.scanRows };
    return { stop: rows.length < this.scanRows };
  }

  /**
   * Where a range from `first` within ..`runEnd` ends: on the last seq a
   * checkpoint signs within maxRows, else the first one beyond (a batch is
   * bounded by the uplink's body limit); undefined when none signs a seq in it.
   */
  private rangeEnd(node: string, first: number, runEnd: number): number | undefined {
    const ends = this.checkpointsIn.all(node, first, runEnd);
    if (ends.length === 0) return undefined;
    const within = ends.filter((l) => l - first + 1 <= this.maxRows);
    return within.length > 0 ? within[within.length - 1] : ends[0];
  }

  private prune(node: string, ref: number, rows: Scanned[]): PrunedStep | undefined {
    const first = rows[0][0];
    const last = rows[rows.length - 1][0];
    const count = rows.length;
    const sum = this.o.crypto.sha256Stream();
    for (const r of rows) sum.update(r[3]);
    const hash = sum.digest();
    const prev = this.prevOf(node, first);
    const lastHash = rows[rows.length - 1][3];
    const hubRef = () => this.refOf.get(this.o.hubLog.id);
    const summary = this.o.hubLog.atomically(() => {
      // Another pass (the CLI beside the hub) may have taken the range since it was read.
      if (this.stillThere.get(ref, first, last) !== count) return undefined;
      const data: ValueMap = {
        node,
        first,
        last,
        count,
        hash: toHex(hash),
        prev: toHex(prev),
        lastHash: toHex(lastHash),
        cutoff: this.cutoff,
        keepMs: this.o.keepMs,
      };
      const { seq } = this.o.hubLog.append(PRUNED_TYPE, 'retention', data);
      this.record.run(ref, first, last, count, hash, prev, lastHash, hubRef(), seq, Math.floor(this.o.clock()));
      this.uncount.run(this.remove.run(ref, first, last).changes, node);
      return seq;
    });
    this.cursor.set(node, last);
    return summary === undefined ? undefined : { node, first, last, count, summary };
  }

  /** The prev the first entry of a range was signed with (its stored prev, the row before's hash or a pruned range's last hash). */
  private prevOf(node: string, seq: number): Uint8Array {
    for (const e of this.o.cartridge.chain(node, { from: seq, to: seq })) return e.prev;
    throw new RangeError(`${node} has no entry at seq ${seq}`);
  }
}

function positive(name: string, v: number): number {
  if (!(Number.isSafeInteger(v) && v >= 1)) throw new RangeError(`${name} must be a whole number ≥ 1, got ${v}`);
  return v;
}
