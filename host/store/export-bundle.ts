import type { PrunedProof } from './bundle-pruned.js';
import { encodeBundle, unsignedRuns } from './bundle-format.js';
import type { Cartridge } from './cartridge.js';
import { Checkpoints } from './checkpoints.js';
import { PrunedRanges } from './pruned-ranges.js';
import { StoreError } from './store-error.js';

export interface ExportedBundle {
  bytes: Uint8Array;
  node: string;
  first: number;
  last: number;
  entries: number;
  checkpoints: number;
  /** Runs of exported seqs no checkpoint signs (stored before migration step 13): verify reports them unverifiable. */
  unsigned: { from: number; to: number }[];
  /** Ranges retention pruned inside it, carried as their signed summaries (host/store/bundle-pruned.ts). */
  pruned?: number;
}

/**
 * One chain (a node's or the hub's own) from `since` as a bundle
 * (host/store/bundle-format.ts). The range starts where the first checkpoint
 * ending at or after `since` starts, so each exported checkpoint has all its
 * entries and the bundle verifies on its own. With `limit` (a mesh page,
 * host/mesh/page-out.ts) it ends on the checkpoint where the entries reach
 * `limit` (at least one checkpoint, so a page always makes progress). What
 * it read is made durable before it is returned (Cartridge.durable): a
 * bundle never carries an entry a power cut could take back. Throws
 * StoreError 'unknown-node' for a chain the cartridge does not hold,
 * RangeError for a bad `since` or `limit`.
 */
export function exportBundle(cartridge: Cartridge, node: string, since = 1, limit?: number): ExportedBundle {
  if (!Number.isSafeInteger(since) || since < 1) throw new RangeError(`since must be a seq (a whole number from 1), got ${since}`);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new RangeError(`limit must be a whole number from 1, got ${limit}`);
  const key = cartridge.nodeKey(node)?.publicKey;
  if (!key) throw new StoreError('unknown-node', `the cartridge holds no chain for ${node}`);
  let checkpoints = new Checkpoints(cartridge.db).endingFrom(node, since);
  let from = checkpoints.reduce((m, c) => Math.min(m, c.first), since);
  let to = Number.MAX_SAFE_INTEGER;
  if (limit !== undefined && checkpoints.length > 0) {
    let n = 1;
    while (n < checkpoints.length && checkpoints[n - 1].last - from + 1 < limit) n++;
    checkpoints = checkpoints.slice(0, n);
    from = checkpoints.reduce((m, c) => Math.min(m, c.first), since);
    to = checkpoints[n - 1].last;
  }
  const entries = [...cartridge.chain(node, { from, to })];
  if (entries.length === 0) throw new StoreError('unknown-node', `${node} has no stored entries from seq ${since}`);
  const first = entries[0].seq;
  const last = entries[entries.length - 1].seq;
  const unsigned = unsignedRuns(
    entries.map((x) => x.seq),
    checkpoints,
  );
  const pruned = prunedProofs(cartridge, node, from, to);
  cartridge.durable();
  const bytes = encodeBundle({ node, key, first, last, checkpoints, entries, ...(pruned.length ? { pruned } : {}) });
  return { bytes, node, first, last, entries: entries.length, checkpoints: checkpoints.length, unsigned, ...(pruned.length ? { pruned: pruned.length } : {}) };
}

/** The chain's pruned ranges within from..to, each with its hub's summary and the checkpoint that signs it. */
function prunedProofs(cartridge: Cartridge, node: string, from: number, to: number): PrunedProof[] {
  const checkpoints = new Checkpoints(cartridge.db);
  return new PrunedRanges(cartridge.db)
    .of(node)
    .filter((p) => p.last >= from && p.first <= to)
    .map((p) => {
      const summary = [...cartridge.chain(p.hub, { from: p.summary, to: p.summary })][0];
      const checkpoint = checkpoints.endingFrom(p.hub, p.summary)[0];
      const hubKey = cartridge.nodeKey(p.hub)?.publicKey;
      if (!summary || !checkpoint || !hubKey)
        throw new StoreError('damaged', `${node}: the summary of pruned range ${p.first}..${p.last} is not on the hub chain`);
      return { first: p.first, last: p.last, count: p.count, hash: p.hash, prev: p.prev, lastHash: p.lastHash, hubKey, summary, checkpoint };
    });
}
