import type { Statement } from 'better-sqlite3';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { isValueMap, type Value } from '../../firmware/codec/value.js';
import type { Db } from './open-cartridge.js';

/** A range of a chain's raw readings that retention deleted (migration step 19), as its summary states it. */
export interface PrunedRange {
  first: number;
  last: number;
  count: number;
  /** SHA-256 over the pruned entries' hashes in seq order. */
  hash: Uint8Array;
  /** The first pruned entry's prev. */
  prev: Uint8Array;
  /** The last pruned entry's hash: what the entry after the range links to. */
  lastHash: Uint8Array;
  /** The hub chain holding the summary, and the summary's seq on it. */
  hub: string;
  summary: number;
}

type Row = [first: number, last: number, count: number, hash: Buffer, prev: Buffer, lastHash: Buffer, hub: string, summary: number];

/** The pruned_ranges table read back (the retention pass writes it: host/store/retention-pass.ts). */
export class PrunedRanges {
  private readonly rangesOf: Statement<[string], Row>;
  private readonly lastOf: Statement<[string, number], Buffer>;
  private readonly endOf: Statement<[string], number | null>;

  constructor(db: Db) {
    const ref = '(SELECT ref FROM node_refs WHERE node = ?)';
    this.rangesOf = db
      .prepare<[string], Row>(
        `SELECT p.first, p.last, p.count, p.hash, p.prev, p.last_hash, h.node, p.summary FROM pruned_ranges p JOIN node_refs h ON h.ref = p.hub
         WHERE p.node = ${ref} ORDER BY p.last`,
      )
      .raw();
    this.lastOf = db.prepare<[string, number], Buffer>(`SELECT last_hash FROM pruned_ranges WHERE node = ${ref} AND last = ?`).pluck();
    this.endOf = db.prepare<[string], number | null>(`SELECT max(last) FROM pruned_ranges WHERE node = ${ref}`).pluck();
  }

  /** A chain's pruned ranges in seq order. */
  of(node: string): PrunedRange[] {
    return this.rangesOf.all(node).map(([first, last, count, hash, prev, lastHash, hub, summary]) => ({
      first,
      last,
      count,
      hash: new Uint8Array(hash),
      prev: new Uint8Array(prev),
      lastHash: new Uint8Array(lastHash),
      hub,
      summary,
    }));
  }

  /** The last hash of the chain's pruned range ending at `last` (what the entry after it links to), if one does. */
  lastHashAt(node: string, last: number): Buffer | undefined {
    return this.lastOf.get(node, last);
  }

  /** The last seq pruned from a chain (0: none). */
  end(node: string): number {
    return this.endOf.get(node) ?? 0;
  }
}

/** Whether a system.retention.pruned summary's data states exactly this node, range, count and hashes. */
export function summaryStates(d: Value | undefined, node: string, r: Pick<PrunedRange, 'first' | 'last' | 'count' | 'hash' | 'prev' | 'lastHash'>): boolean {
  return (
    isValueMap(d) &&
    d.node === node &&
    d.first === r.first &&
    d.last === r.last &&
    d.count === r.count &&
    d.hash === toHex(r.hash) &&
    d.prev === toHex(r.prev) &&
    d.lastHash === toHex(r.lastHash)
  );
}
