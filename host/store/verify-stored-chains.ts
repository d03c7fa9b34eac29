import { batchSignedForm } from '../../firmware/batch/batch.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { entryHash, GENESIS_PREV, idFromHash } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import type { Cartridge } from './cartridge.js';
import { Checkpoints } from './checkpoints.js';
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
  // The ids alone: cartridge.nodes() counts every chain's entries, a cost the start check does not pay.
  const ids = cartridge.db.prepare<[string], string>('SELECT id FROM nodes WHERE kind = ? ORDER BY id').pluck();
  const out: VerifiedHead[] = [];
  for (const kind of ['node', 'hub'] as const) {
    for (const id of ids.all(kind)) {
      const damaged = (seq: number, why: string) => new StoreError('damaged', `the ${kind} chain ${id} is damaged at seq ${seq}: ${why}`);
      const gaps = new Map(cartridge.gaps(id).map((g) => [g.from, g.to]));
      const head = cartridge.head(id);
      const from = recent === undefined ? 1 : Math.max(1, (head?.seq ?? 0) - recent + 1);
      let seq = from - 1;
      let hash: Uint8Array | undefined = from === 1 ? GENESIS_PREV : undefined;
      let events = 0;
      const hashes = new Map<number, Uint8Array>();
      for (const e of cartridge.chain(id, from === 1 ? undefined : { from, to: Number.MAX_SAFE_INTEGER })) {
        if (hash === undefined) {
          // The window's first entry: its link is what is stored; no gap check before it.
        } else if (e.seq !== seq + 1) {
          if (gaps.get(seq + 1) !== e.seq - 1) throw damaged(e.seq, `seqs ${seq + 1}..${e.seq - 1} are missing and no signed gap covers them`);
        } else if (!bytesEqual(e.prev, hash)) {
          throw damaged(e.seq, seq === 0 ? 'it does not start from the genesis value' : `it does not link to seq ${seq}`);
        }
        hash = entryHash(e, crypto);
        if (e.id !== idFromHash(hash)) throw damaged(e.seq, 'its content does not hash to its id');
        if (checkpoints) hashes.set(e.seq, hash);
        seq = e.seq;
        events++;
      }
      if (!head || head.seq !== seq || (seq > 0 && (!hash || !bytesEqual(head.hash, hash))))
        throw damaged(seq, `the stored head (seq ${head?.seq ?? 0}) is not the chain's last entry (seq ${seq})`);
      const verified: VerifiedHead = { node: id, kind, seq, events };
      if (checkpoints) verified.checkpoints = checkWindowCheckpoints(checkpoints, cartridge, crypto, id, from, hashes, damaged);
      out.push(verified);
    }
  }
  return out;
}

/**
 * The checkpoints ending in the window: each one's signed head is the hash
 * of its last entry (a checkpoint past the head means entries the node
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
  damaged: (seq: number, why: string) => StoreError,
): number {
  const window = checkpoints.endingFrom(node, from);
  for (const c of window) {
    const h = hashes.get(c.last);
    if (!h) throw damaged(c.last, `checkpoint ${c.first}..${c.last} signs for seq ${c.last}, which is not stored`);
    if (!bytesEqual(h, c.head)) throw damaged(c.last, `the entry does not hash to the head checkpoint ${c.first}..${c.last} signed`);
  }
  const newest = window.at(-1);
  const key = cartridge.nodeKey(node)?.publicKey;
  if (newest && !(key && crypto.verify(newest.sig, batchSignedForm(node, newest.first, newest.last, newest.head, newest.dropped), key)))
    throw damaged(newest.last, `the signature of checkpoint ${newest.first}..${newest.last} does not verify under the chain's key`);
  return window.length;
}
