import type { EventEntry } from '../../../firmware/event/envelope.js';
import { bytesEqual } from '../../../firmware/event/verify-chain.js';
import { encodeBundle } from '../../store/bundle-format.js';
import type { Cartridge } from '../../store/cartridge.js';
import { Checkpoints } from '../../store/checkpoints.js';

/** One accepted batch as it travels: a one-checkpoint `fazt/bundle/v1` bundle and what names it. */
export interface ChainPage {
  node: string;
  last: number;
  /** The checkpoint's signed head: the message's Nats-Msg-Id (hex). */
  head: Uint8Array;
  bundle: Uint8Array;
}

/**
 * The cartridge as the publisher's outbox: the checkpoints table already
 * keeps every accepted batch's signed head, so what is still to publish is a
 * chain's checkpoints after the last one published, each with its entries.
 */
export class ChainPages {
  private readonly checkpoints: Checkpoints;

  constructor(private readonly cartridge: Cartridge) {
    this.checkpoints = new Checkpoints(cartridge.db);
  }

  /** Every chain held: enrolled nodes' and the hub's own. */
  chains(): string[] {
    return [...this.cartridge.chainIds('hub'), ...this.cartridge.chainIds('node')];
  }

  /**
   * Where publishing `node` resumes, given the newest page the stream holds
   * for it (ending at `last` with checkpoint head `head`): after it when this
   * hub holds that very checkpoint, or is behind on the chain (its pages are
   * the stream's already); from the start when it holds other entries there
   * (a fork, or a tampered page), so its own version is published too (the
   * stream dedupes and the receivers are idempotent on what was sent before).
   */
  resumeAfter(node: string, last: number, head: Uint8Array): number {
    if (this.checkpoints.endingFrom(node, last).some((c) => c.last === last && bytesEqual(c.head, head))) return last;
    return (this.cartridge.head(node)?.seq ?? 0) < last ? last : 0;
  }

  /** The chain's pages whose checkpoint ends after seq `after`, oldest first, at most `limit`; durable before they are returned (Cartridge.durable). */
  after(node: string, after: number, limit: number): ChainPage[] {
    const key = this.cartridge.nodeKey(node)?.publicKey;
    if (!key) return [];
    const cps = this.checkpoints.endingFrom(node, after + 1).slice(0, limit);
    if (cps.length === 0) return [];
    const from = Math.min(...cps.map((c) => c.first));
    const bySeq = new Map<number, EventEntry>();
    const to = cps[cps.length - 1].last;
    for (const e of this.cartridge.chain(node, { from, to: Number.MAX_SAFE_INTEGER })) {
      if (e.seq > to) break;
      bySeq.set(e.seq, e);
    }
    // Published, a page is the stream's for good: nothing of it may be what a power cut takes back.
    this.cartridge.durable();
    const pages: ChainPage[] = [];
    for (const c of cps) {
      const entries: EventEntry[] = [];
      for (let s = c.first; s <= c.last; s++) {
        const e = bySeq.get(s);
        if (e) entries.push(e);
      }
      // A checkpoint whose entries are not all here (a dropped range inside it) would not verify: its page is not sent.
      if (entries.length === 0 || entries[entries.length - 1].seq !== c.last) continue;
      const bundle = encodeBundle({ node, key, first: entries[0].seq, last: c.last, checkpoints: [c], entries });
      pages.push({ node, last: c.last, head: c.head, bundle });
    }
    return pages;
  }
}
