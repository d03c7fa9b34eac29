import type { EventEntry } from '../../../firmware/event/envelope.js';
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
    return [...this.cartridge.nodes('hub'), ...this.cartridge.nodes('node')].map((n) => n.id);
  }

  /** The chain's pages whose checkpoint ends after seq `after`, oldest first, at most `limit`. */
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
