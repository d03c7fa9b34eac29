import type { Statement } from 'better-sqlite3';
import type { Batch } from '../../firmware/batch/batch.js';
import type { Db } from './open-cartridge.js';

/** An accepted batch's signed head: what `batchSignedForm` covered and the signature over it. */
export interface Checkpoint {
  first: number;
  last: number;
  head: Uint8Array;
  sig: Uint8Array;
  /** The dropped range the node signed for with this batch, if any. */
  dropped?: { from: number; to: number };
}

interface Row {
  first: number;
  last: number;
  head: Buffer;
  signature: Buffer;
  dropped_from: number | null;
  dropped_to: number | null;
}

/**
 * The checkpoints table (migration step 13): the ingest records each batch it
 * stores (host/store/ingest.ts), the export reads them back in seq order.
 */
export class Checkpoints {
  private readonly insert: Statement<[string, number, number, Uint8Array, Uint8Array, number | null, number | null, number]>;
  private readonly since: Statement<[string, number], Row>;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO checkpoints (node, first, last, head, signature, dropped_from, dropped_to, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.since = db.prepare('SELECT first, last, head, signature, dropped_from, dropped_to FROM checkpoints WHERE node = ? AND last >= ? ORDER BY last');
  }

  /** Records a verified batch's signed head (inside the ingest's transaction). */
  record(b: Batch, at: number): void {
    this.insert.run(b.node, b.first, b.last, b.head, b.sig, b.dropped?.from ?? null, b.dropped?.to ?? null, at);
  }

  /** A node's checkpoints that end at or after `seq`, in seq order. */
  endingFrom(node: string, seq: number): Checkpoint[] {
    return this.since.all(node, seq).map((r) => {
      const c: Checkpoint = { first: r.first, last: r.last, head: new Uint8Array(r.head), sig: new Uint8Array(r.signature) };
      if (r.dropped_from !== null && r.dropped_to !== null) c.dropped = { from: r.dropped_from, to: r.dropped_to };
      return c;
    });
  }
}
