import type { Statement } from 'better-sqlite3';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { Db } from '../store/open-cartridge.js';
import type { SourceKind } from '../store/nodes.js';

/** A chain's stored head: its last seq and that entry's hash. */
export interface ChainHead {
  node: string;
  seq: number;
  hash: Uint8Array;
}

const FINGERPRINT_DOMAIN = 'fazt/mesh-fingerprint/v1';

/**
 * The heads of every chain this hub replicates: its enrolled nodes', its own
 * and its paired hubs' (kinds node, hub, peer), sorted by node id. The
 * fingerprint is SHA-256 over their canonical CBOR, so two hubs holding the
 * same chains agree on 32 bytes.
 */
export class ChainHeads {
  private readonly all: Statement<[], { id: string; kind: SourceKind; head_seq: number; head_hash: Buffer }>;
  private readonly kind: Statement<[string], SourceKind>;

  constructor(
    db: Db,
    private readonly crypto: CryptoProvider,
  ) {
    this.all = db.prepare('SELECT id, kind, head_seq, head_hash FROM nodes WHERE head_seq > 0 AND head_hash IS NOT NULL ORDER BY id');
    this.kind = db.prepare<[string], SourceKind>('SELECT kind FROM nodes WHERE id = ?').pluck();
  }

  /** The kind of a chain registered here, or undefined. */
  kindOf(node: string): SourceKind | undefined {
    return this.kind.get(node);
  }

  /** Every replicated chain's head, by node id; `kind` tells a paired hub's chain (pulled first) from a node's. */
  list(): (ChainHead & { kind: SourceKind })[] {
    return this.all.all().map((r) => ({ node: r.id, kind: r.kind, seq: r.head_seq, hash: new Uint8Array(r.head_hash) }));
  }

  fingerprint(heads: readonly ChainHead[] = this.list()): Uint8Array {
    return this.crypto.sha256(encodeCbor([FINGERPRINT_DOMAIN, heads.map((h) => [h.node, h.seq, h.hash])]));
  }
}
