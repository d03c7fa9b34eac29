import type { Statement } from 'better-sqlite3';
import type { Batch } from '../../firmware/batch/batch.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { ForkError, VerifyError } from '../../firmware/errors.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import { Checkpoints } from './checkpoints.js';
import { type EntryValue, type EntryValues, INSERT_ENTRY, insertEntries, writeEntryValues } from './event-rows.js';
import type { NameRefs } from './name-refs.js';
import type { Db } from './open-cartridge.js';
import { ReadingRollups, type RollupSum } from './reading-rollups.js';
import type { SourceKind } from './nodes.js';
import { StoreError } from './store-error.js';

/** Where a batch comes from: a node's uplink, the hub itself, or a paired hub's page (host/mesh/). */
export type BatchOrigin = 'uplink' | 'own' | 'mesh';

/** Which origins may grow a chain of each kind: the hub's only from itself, a peer hub's only from the mesh. */
const ADMITS: Record<SourceKind, readonly BatchOrigin[]> = { node: ['uplink', 'mesh'], hub: ['own'], peer: ['mesh'] };

export interface IngestResult {
  node: string;
  /** The highest contiguous seq stored for the node (its head), what the hub acknowledges. */
  ack: number;
  /** How many entries this call stored (0 for a replay). */
  stored: number;
  /** The stored entries, in order (for live subscribers). */
  fresh: EventEntry[];
  /** The node-signed dropped range recorded with this batch, if any. */
  gap?: { from: number; to: number };
}

/** A node's batch: 32 entries (firmware's default), 512 bound values, far under SQLite's limit. */
const ROWS_AT_ONCE = 32;
/** Values in one row of INSERT_ENTRY. */
const ROW_WIDTH: EntryValues['length'] = 16;

interface NodeHeadRow {
  ref: number;
  kind: SourceKind;
  public_key: Buffer;
  head_seq: number;
  head_hash: Buffer | null;
  revoked_at: number | null;
}

/** A batch of a group commit; `also` runs inside the batch's own savepoint once it is stored (a carried dictionary kept). */
interface GroupItem {
  batch: Batch;
  receivedAt: number;
  also?: () => void;
}

/**
 * Stores verified batches. Everything happens in one IMMEDIATE transaction:
 * read the node's head, verify the batch against it (verifyBatch), insert the
 * fresh entries, their readings' rollups, the gap row, the batch's signed head
 * (a checkpoint) and the new head with the chain's entry count. A batch is stored whole or
 * not at all; the ack is returned only after the commit (synchronous=FULL),
 * so an acknowledged event is on disk. A replay stores nothing and returns
 * the current ack. Statements are prepared once and reused.
 */
export class Ingestor {
  private readonly selectNode: Statement<[string], NodeHeadRow>;
  private readonly selectHash: Statement<[number, number], Uint8Array>;
  private readonly insertEntry: Statement<[EntryValue[]]>;
  /** INSERT_ENTRY for ROWS_AT_ONCE rows in one statement: a node's batch of 32 is one call, not 32. */
  private readonly insertRows: Statement<[EntryValue[]]>;
  /**
   * insertRows' bound values: each entry is written straight into them
   * (writeEntryValues) and they are reused from call to call, so no row
   * (nor argument list) is built per entry. `filled`: the rows written since the last insert.
   */
  private readonly bound: EntryValue[] = new Array(ROWS_AT_ONCE * ROW_WIDTH);
  private filled = 0;
  private readonly insertGap: Statement<[string, number, number, number]>;
  private readonly updateHead: Statement<[number, Uint8Array, number, string]>;
  private readonly rollups: ReadingRollups;
  private readonly checkpoints: Checkpoints;
  private readonly run: (batch: Batch, receivedAt: number, origin: BatchOrigin) => IngestResult;
  private readonly runPage: (batches: readonly Batch[], receivedAt: number, after: (results: IngestResult[]) => void) => IngestResult[];
  private readonly runGroup: (items: GroupItem[]) => (IngestResult | Error)[];

  /**
   * `onStored` runs inside the transaction with each batch's fresh entries, where they came from and
   * their received_at (the command queue settles by them; the rules cursor moves).
   */
  constructor(
    db: Db,
    private readonly names: NameRefs,
    private readonly crypto: CryptoProvider,
    private readonly onStored?: (node: string, fresh: readonly EventEntry[], origin: BatchOrigin, receivedAt: number) => void,
  ) {
    this.selectNode = db.prepare(
      'SELECT r.ref, n.kind, n.public_key, n.head_seq, n.head_hash, n.revoked_at FROM nodes n JOIN node_refs r ON r.node = n.id WHERE n.id = ?',
    );
    this.selectHash = db.prepare<[number, number], Uint8Array>('SELECT hash FROM entries WHERE node = ? AND seq = ?').pluck();
    this.insertEntry = db.prepare<[EntryValue[]]>(INSERT_ENTRY);
    this.insertRows = db.prepare<[EntryValue[]]>(insertEntries(ROWS_AT_ONCE));
    this.insertGap = db.prepare('INSERT INTO gaps (node, from_seq, to_seq, at) VALUES (?, ?, ?, ?)');
    // The chain's entry count moves with its head, in the same statement (migration step 22): listing the nodes counts no log.
    this.updateHead = db.prepare('UPDATE nodes SET head_seq = ?, head_hash = ?, entry_count = entry_count + ? WHERE id = ?');
    this.rollups = new ReadingRollups(db);
    this.checkpoints = new Checkpoints(db);
    const tx = db.transaction((batch: Batch, receivedAt: number, origin: BatchOrigin) => this.store(batch, receivedAt, origin));
    // After a commit the names it added are known to be stored (NameRefs.settle).
    this.run = (batch, receivedAt, origin) => {
      try {
        return tx.immediate(batch, receivedAt, origin);
      } finally {
        names.settle();
      }
    };
    // Group commit: one durable commit for many batches; inside it each batch is its own
    // savepoint (better-sqlite3 nests transactions that way), so a refused batch rolls back alone.
    // A group's batch and what goes with it (`also`: its dictionary kept) in one savepoint: both or neither.
    const withAlso = db.transaction((batch: Batch, receivedAt: number, also: () => void) => {
      const r = this.store(batch, receivedAt, 'uplink');
      also();
      return r;
    });
    const group = db.transaction((items: GroupItem[]) =>
      items.map((it) => {
        try {
          return it.also ? withAlso(it.batch, it.receivedAt, it.also) : tx(it.batch, it.receivedAt, 'uplink');
        } catch (e) {
          // A full disk (SQLITE_FULL) or an I/O error ends the whole transaction, not just this savepoint:
          // the group fails with that cause instead of a later "no transaction is active".
          if (!db.inTransaction) throw e;
          return e instanceof Error ? e : new Error(String(e));
        }
      }),
    );
    // A mesh page: its batches in order, all stored or none, then `after` inside the same transaction.
    // Its readings' rollups are summed once for the whole page (one upsert per interval, not per batch).
    const page = db.transaction((batches: readonly Batch[], receivedAt: number, after: (results: IngestResult[]) => void) => {
      const sum = this.rollups.sum();
      const results = batches.map((b) => this.store(b, receivedAt, 'mesh', sum));
      sum.write();
      after(results);
      return results;
    });
    this.runPage = (batches, receivedAt, after) => {
      try {
        return page.immediate(batches, receivedAt, after);
      } finally {
        names.settle();
      }
    };
    this.runGroup = (items) => {
      try {
        return group.immediate(items);
      } finally {
        names.settle();
      }
    };
  }

  /**
   * Stores several batches with one commit. Each gets its result or its own
   * error; nothing is acknowledged before the commit returns. If the commit
   * itself fails, it throws and none is stored.
   */
  ingestMany(items: GroupItem[]): (IngestResult | Error)[] {
    return this.runGroup(items);
  }

  /**
   * Throws StoreError 'unknown-node' or 'node-revoked', VerifyError (any code but replay) or an
   * SQLite error; stores nothing then. `own`: the batch is the hub's own
   * (host/hub/hub-log.ts), the only way into a chain of kind 'hub'.
   */
  ingest(batch: Batch, receivedAt: number, own = false): IngestResult {
    return this.run(batch, receivedAt, own ? 'own' : 'uplink');
  }

  /**
   * Stores a paired hub's page (host/mesh/page-in.ts): its batches in one
   * transaction, whole or not at all (the first refusal throws); `after` runs
   * inside it with the results. Resent batches store nothing.
   */
  ingestPage(batches: readonly Batch[], receivedAt: number, after: (results: IngestResult[]) => void = () => {}): IngestResult[] {
    return this.runPage(batches, receivedAt, after);
  }

  /** `pageSum`: where the stored readings are summed for the caller to write their rollups once (a page), else they are written here. */
  private store(b: Batch, receivedAt: number, origin: BatchOrigin, pageSum?: RollupSum): IngestResult {
    const node = this.selectNode.get(b.node);
    if (!node) throw new StoreError('unknown-node', `node ${b.node} is not enrolled on this hub`);
    if (node.revoked_at !== null) throw new StoreError('node-revoked', `node ${b.node}'s key was revoked by the owner: its batches are refused`);
    // The hub's chain grows only from the hub itself, never from an uplink (even one it signed).
    if (!ADMITS[node.kind].includes(origin)) {
      const why = {
        hub: "this hub's own chain, not an enrolled node",
        peer: "a paired hub's chain: only the mesh grows it",
        node: 'an enrolled node, not this hub',
      };
      throw new StoreError('unknown-node', `${b.node} is ${why[node.kind]}`);
    }
    if (!(b.key instanceof Uint8Array) || !bytesEqual(node.public_key, b.key)) {
      throw new VerifyError('key-mismatch', `the key in the batch is not the key node ${b.node} enrolled with`);
    }
    const known = node.head_seq > 0 && node.head_hash ? { seq: node.head_seq, hash: node.head_hash } : undefined;
    let verified;
    try {
      verified = verifyBatch(b, { crypto: this.crypto, known });
    } catch (e) {
      if (e instanceof VerifyError && e.code === 'replay') {
        // A replay only if it is the same chain: a node that restarted its chain (lost its head) reuses seqs with other entries.
        const stored = this.selectHash.get(node.ref, b.last);
        if (stored && !bytesEqual(stored, b.head) && known) {
          throw new ForkError(`batch ${b.first}..${b.last} from ${b.node} is not the chain stored at those seqs (the node restarted its chain?)`, known);
        }
        return { node: b.node, ack: node.head_seq, stored: 0, fresh: [] };
      }
      throw e;
    }
    const { fresh, head, gap } = verified;
    const ref = this.names.writer();
    const sum = pageSum ?? this.rollups.sum();
    const bound = this.bound;
    this.filled = 0;
    // The chain is verified, so each entry's hash is the next one's prev, and the last one's is the signed head;
    // the first one's prev is stored unless the row before holds it (not so for a chain's first, nor after a gap).
    for (let i = 0; i < fresh.length; i++) {
      const e = fresh[i];
      const hash = i + 1 < fresh.length ? fresh[i + 1].prev : head.hash;
      let linked = i > 0;
      if (!linked && e.seq > 1) {
        // The row before is most often the stored head, whose hash is at hand: no lookup then.
        const before = known?.seq === e.seq - 1 ? known.hash : this.selectHash.get(node.ref, e.seq - 1);
        linked = before !== undefined && bytesEqual(before, e.prev);
      }
      const at = this.filled * ROW_WIDTH;
      writeEntryValues(bound, at, node.ref, e, hash, linked, receivedAt, ref);
      sum.add(node.ref, bound[at + 3] as number | null, e.time, bound[at + 9] as number | null, bound[at + 11] as number | null);
      if (++this.filled === ROWS_AT_ONCE) {
        this.insertRows.run(bound);
        this.filled = 0;
      }
    }
    // The rest (a batch of other than 32, or its tail) row by row.
    for (let r = 0; r < this.filled; r++) this.insertEntry.run(bound.slice(r * ROW_WIDTH, (r + 1) * ROW_WIDTH));
    this.filled = 0;
    if (!pageSum) sum.write();
    if (gap) this.insertGap.run(b.node, gap.from, gap.to, receivedAt);
    // The signed head that proved these entries, kept so the log verifies at rest (host/store/verify-bundle.ts).
    this.checkpoints.record(b, receivedAt);
    this.updateHead.run(head.seq, head.hash, fresh.length, b.node);
    this.onStored?.(b.node, fresh, origin, receivedAt);
    const result: IngestResult = { node: b.node, ack: head.seq, stored: fresh.length, fresh };
    if (gap) result.gap = gap;
    return result;
  }
}
