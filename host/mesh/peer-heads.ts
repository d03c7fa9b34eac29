import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open-cartridge.js';
import type { ChainHead } from './chain-heads.js';

/**
 * What each paired hub was last seen to hold (mesh_peer_heads, migration
 * step 14): written when it tells its heads (it asks us) and when we learn
 * them (we ask it), so a sync sends only the heads that differ and
 * `fazt mesh status` can say how far behind each side is.
 */
export class PeerHeads {
  private readonly upsert: Statement<[string, string, number, Uint8Array, number]>;
  private readonly ofPeer: Statement<[string], { node: string; seq: number; hash: Buffer | null }>;

  constructor(db: Db) {
    this.upsert = db.prepare(`INSERT INTO mesh_peer_heads (peer, node, seq, hash, at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (peer, node) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at`);
    this.ofPeer = db.prepare('SELECT node, seq, hash FROM mesh_peer_heads WHERE peer = ? ORDER BY node');
  }

  record(peer: string, heads: readonly ChainHead[], at: number): void {
    for (const h of heads) this.upsert.run(peer, h.node, h.seq, h.hash, at);
  }

  of(peer: string): Map<string, ChainHead> {
    const m = new Map<string, ChainHead>();
    for (const r of this.ofPeer.all(peer)) m.set(r.node, { node: r.node, seq: r.seq, hash: r.hash ? new Uint8Array(r.hash) : new Uint8Array(32) });
    return m;
  }
}
