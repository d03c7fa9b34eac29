import { batchSignedForm } from '../../firmware/batch/batch.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { entryHash, GENESIS_PREV, idFromHash } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import type { Cartridge } from './cartridge.js';
import { Checkpoints } from './checkpoints.js';
import { PrunedRanges } from './pruned-ranges.js';
import { prunedRangeFault } from './pruned-summary.js';
import { StoreError } from './store-error.js';

/** One chain verified up to its stored head. */
export interface VerifiedHead {
  node: string;
  kind: 'node' | 'hub';
  seq: number;
  /** Entries whose hash was recomputed (all of them, or the window's). */
  events: number;
  /** Checkpoints whose head was matched to its entry (only with `recent`). */
  checkpoints?: number;
  /** Pruned ranges crossed, each vouched for by its signed summary (host/store/pruned-summary.ts). */
  pruned?: number;
}

export interface VerifyChainsOptions {
  /**
   * Check only each chain's newest `recent` seqs (the start check), and the
   * checkpoints ending in them: every one's head against its entry, the newest
   * one's signature against the chain's key. Omitted: every entry from seq 1.
   */
  recent?: number;
}

/**
 * Walks every chain in the cartridge, the nodes' and the hub's, entry by
 * entry in seq order: each entry hashes to its id, links to the entry
 * before (seq 1 to the genesis value), a jump in seq is covered exactly by
 * a gap the node signed for, and the last entry is the stored head (seq and
 * hash). With `recent`, the walk starts that many seqs before the head (the
 * first entry's link is taken as stored) and the window's checkpoints are
 * checked too. Throws StoreError 'damaged' naming the chain and seq at the
 * first fault. One entry in memory at a time (a window's hashes with `recent`).
 */
export function verifyStoredChains(cartridge: Cartridge, crypto: CryptoProvider, options: VerifyChainsOptions = {}): VerifiedHead[] {
  const { recent } = options;
  if (recent !== undefined && !(Number.isSafeInteger(recent) && recent >= 1)) throw new RangeError(`recent must be a whole number ≥ 1, not ${recent}`);
  const checkpoints = recent === undefined ? undefined : new Checkpoints(cartridge.db);
  const ranges = new PrunedRanges(cartridge.db);
  const out: VerifiedHead[] = [];
  for (const kind of ['node', 'hub'] as const) {
    for (const id of cartridge.chainIds(kind)) {
      const damaged = (seq: number, why: string) => new StoreError('damaged', `the ${kind} chain ${id} is damaged at seq ${seq}: ${why}`);
      const gaps = new Map(cartridge.gaps(id).map((g) => [g.from, g.to]));
      const head = cartridge.head(id);
      const from = recent === undefined ? 1 : Math.max(1, (head?.seq ?? 0) - recent + 1);
      let seq = from - 1;
      let hash: Uint8Array | undefined = from === 1 ? GENESIS_PREV : undefined;
      let events = 0;
      const hashes = new Map<number, Uint8Array>();
      const pruned = new Map(ranges.of(id).map((p) => [p.first, p]));
      /** From seq + 1 to `until` − 1 across signed gaps and pruned ranges; the link the entry at `until` must have (undefined after a gap). */
      const cross = (until: number, link: Uint8Array): Uint8Array | undefined => {
        let at: Uint8Array | undefined = link;
        for (let next = seq + 1; next < until; ) {
          const p = pruned.get(next);
          const gapTo = gaps.get(next);
          if (p && p.last < until) {
            if (at && !bytesEqual(p.prev, at)) throw damaged(next, `pruned range ${p.first}..${p.last} does not link to seq ${next - 1}`);
            const fault = prunedRangeFault(cartridge, crypto, id, p);
            if (fault) throw damaged(next, fault);
            at = p.lastHash;
            next = p.last + 1;
            prunedRanges++;
          } else if (gapTo !== undefined && gapTo < until) {
            at = undefined;
            next = gapTo + 1;
          } else throw damaged(until, `seqs ${next}..${until - 1} are missing and no signed gap or pruned range covers them`);
        }
        return at;
      };
      let prunedRanges = 0;
      for (const e of cartridge.chain(id, from === 1 ? undefined : { from, to: Number.MAX_SAFE_INTEGER })) {
        if (hash === undefined) {
          // The window's first entry: its link is what is stored; no gap check before it.
        } else if (e.seq !== seq + 1) {
          const link = cross(e.seq, hash);
          if (link && !bytesEqual(e.prev, link)) throw damaged(e.seq, `it does not link to the pruned range before it`);
        } else if (!bytesEqual(e.prev, hash)) {
          throw damaged(e.seq, seq === 0 ? 'it does not start from the genesis value' : `it does not link to seq ${seq}`);
        }
        hash = entryHash(e, crypto);
        if (e.id !== idFromHash(hash)) throw damaged(e.seq, 'its content does not hash to its id');
        if (checkpoints) hashes.set(e.seq, hash);
        seq = e.seq;
        events++;
      }
      // A chain whose newest entries were pruned ends on its last pruned range.
      const under = hash === undefined && head ? [...pruned.values()].find((p) => p.first <= seq + 1 && p.last >= seq + 1) : undefined;
      if (under) {
        // A window that starts in a pruned range and holds no entry: the walk starts at that range.
        seq = under.first - 1;
        hash = under.prev;
      }
      if (head && hash && head.seq > seq && pruned.has(seq + 1)) {
        hash = cross(head.seq + 1, hash);
        seq = head.seq;
      }
      if (!head || head.seq !== seq || (seq > 0 && (!hash || !bytesEqual(head.hash, hash))))
        throw damaged(seq, `the stored head (seq ${head?.seq ?? 0}) is not the chain's last entry (seq ${seq})`);
      const verified: VerifiedHead = { node: id, kind, seq, events };
      if (prunedRanges > 0) verified.pruned = prunedRanges;
      if (checkpoints) {
        // A checkpoint whose last seq was pruned signs that range's last hash (checked with the range).
        for (const p of pruned.values()) if (p.last >= from) hashes.set(p.last, p.lastHash);
        const covered = (at: number) => [...pruned.values()].some((p) => p.first <= at && at <= p.last);
        verified.checkpoints = checkWindowCheckpoints(checkpoints, cartridge, crypto, id, from, hashes, covered, damaged);
      }
      out.push(verified);
    }
  }
  return out;
}

/**
 * The checkpoints ending in the window: each one's signed head is the hash
 * of its last entry (or of a pruned range's last, or inside a pruned range) (a checkpoint past the head means entries the node
 * signed for are gone); the newest one's signature verifies under the
 * chain's key (one signature a chain keeps the start check cheap).
 */
function checkWindowCheckpoints(
  checkpoints: Checkpoints,
  cartridge: Cartridge,
  crypto: CryptoProvider,
  node: string,
  from: number,
  hashes: Map<number, Uint8Array>,
  pruned: (seq: number) => boolean,
  damaged: (seq: number, why: string) => StoreError,
): number {
  const window = checkpoints.endingFrom(node, from);
  for (const c of window) {
    const h = hashes.get(c.last);
    if (!h && pruned(c.last)) continue; // its entry is in a pruned range, which its summary's hash covers
    if (!h) throw damaged(c.last, `checkpoint ${c.first}..${c.last} signs for seq ${c.last}, which is not stored`);
    if (!bytesEqual(h, c.head)) throw damaged(c.last, `the entry does not hash to the head checkpoint ${c.first}..${c.last} signed`);
  }
  const newest = window.at(-1);
  const key = cartridge.nodeKey(node)?.publicKey;
  if (newest && !(key && crypto.verify(newest.sig, batchSignedForm(node, newest.first, newest.last, newest.head, newest.dropped), key)))
    throw damaged(newest.last, `the signature of checkpoint ${newest.first}..${newest.last} does not verify under the chain's key`);
  return window.length;
}
