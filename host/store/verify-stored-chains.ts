import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { entryHash, GENESIS_PREV, idFromHash } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import type { Cartridge } from './cartridge.js';
import { StoreError } from './store-error.js';

/** One chain verified up to its stored head. */
export interface VerifiedHead {
  node: string;
  kind: 'node' | 'hub';
  seq: number;
  events: number;
}

/**
 * Walks every chain in the cartridge, the nodes' and the hub's, entry by
 * entry in seq order: each entry hashes to its id, links to the entry
 * before (seq 1 to the genesis value), a jump in seq is covered exactly by
 * a gap the node signed for, and the last entry is the stored head (seq and
 * hash). Throws StoreError 'damaged' naming the chain and seq at the first
 * fault. One entry in memory at a time.
 */
export function verifyStoredChains(cartridge: Cartridge, crypto: CryptoProvider): VerifiedHead[] {
  const out: VerifiedHead[] = [];
  for (const kind of ['node', 'hub'] as const) {
    for (const n of cartridge.nodes(kind)) {
      const damaged = (seq: number, why: string) => new StoreError('damaged', `the ${kind} chain ${n.id} is damaged at seq ${seq}: ${why}`);
      const gaps = new Map(cartridge.gaps(n.id).map((g) => [g.from, g.to]));
      let seq = 0;
      let hash: Uint8Array = GENESIS_PREV;
      let events = 0;
      for (const e of cartridge.chain(n.id)) {
        if (e.seq !== seq + 1) {
          if (gaps.get(seq + 1) !== e.seq - 1) throw damaged(e.seq, `seqs ${seq + 1}..${e.seq - 1} are missing and no signed gap covers them`);
        } else if (!bytesEqual(e.prev, hash)) {
          throw damaged(e.seq, seq === 0 ? 'it does not start from the genesis value' : `it does not link to seq ${seq}`);
        }
        hash = entryHash(e, crypto);
        if (e.id !== idFromHash(hash)) throw damaged(e.seq, 'its content does not hash to its id');
        seq = e.seq;
        events++;
      }
      const head = cartridge.head(n.id);
      if (!head || head.seq !== seq || (seq > 0 && !bytesEqual(head.hash, hash)))
        throw damaged(seq, `the stored head (seq ${head?.seq ?? 0}) is not the chain's last entry (seq ${seq})`);
      out.push({ node: n.id, kind, seq, events });
    }
  }
  return out;
}
