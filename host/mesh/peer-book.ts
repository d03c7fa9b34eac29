import type { Statement } from 'better-sqlite3';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import type { Db } from '../store/open-cartridge.js';

/** A hub this one is paired with (migration step 14). */
export interface Peer {
  hub: string;
  publicKey: Uint8Array;
  name?: string;
  /** Where to reach it; absent when it is found by Beacon on the LAN. */
  url?: string;
  pairedAt: number;
}

interface Row {
  hub: string;
  public_key: Buffer;
  name: string | null;
  url: string | null;
  paired_at: number;
}

const toPeer = (r: Row): Peer => ({
  hub: r.hub,
  publicKey: new Uint8Array(r.public_key),
  ...(r.name !== null ? { name: r.name } : {}),
  ...(r.url !== null ? { url: r.url } : {}),
  pairedAt: r.paired_at,
});

/**
 * The paired hubs. A peer's id derives from its key, as a node's does, so a
 * row cannot name one hub and hold another's key. Unpairing keeps the row
 * (its heads and refusals still name it) but the peer stops counting.
 */
export class PeerBook {
  private readonly upsert: Statement<[string, Uint8Array, string | null, string | null, number]>;
  private readonly selectAll: Statement<[], Row>;
  private readonly selectOne: Statement<[string], Row>;
  private readonly markUnpaired: Statement<[number, string]>;
  private readonly updateUrl: Statement<[string | null, string]>;

  constructor(
    db: Db,
    private readonly crypto: CryptoProvider,
  ) {
    this.upsert = db.prepare(`INSERT INTO mesh_peers (hub, public_key, name, url, paired_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (hub) DO UPDATE SET name = coalesce(excluded.name, name), url = coalesce(excluded.url, url), paired_at = excluded.paired_at, unpaired_at = NULL`);
    this.selectAll = db.prepare('SELECT hub, public_key, name, url, paired_at FROM mesh_peers WHERE unpaired_at IS NULL ORDER BY hub');
    this.selectOne = db.prepare('SELECT hub, public_key, name, url, paired_at FROM mesh_peers WHERE hub = ? AND unpaired_at IS NULL');
    this.markUnpaired = db.prepare('UPDATE mesh_peers SET unpaired_at = ? WHERE hub = ? AND unpaired_at IS NULL');
    this.updateUrl = db.prepare('UPDATE mesh_peers SET url = ? WHERE hub = ? AND unpaired_at IS NULL');
  }

  /** Pairs (or pairs again) the hub holding `publicKey`; returns it. */
  add(p: { publicKey: Uint8Array; name?: string; url?: string }, now: number): Peer {
    if (!(p.publicKey instanceof Uint8Array) || p.publicKey.length !== 32) throw new RangeError('publicKey must be 32 bytes');
    if (p.url !== undefined && !/^https?:\/\//.test(p.url)) throw new RangeError(`url must be an http(s) URL, got ${JSON.stringify(p.url)}`);
    const hub = nodeIdFromPublicKey(p.publicKey, this.crypto);
    this.upsert.run(hub, p.publicKey, p.name ?? null, p.url ?? null, now);
    const peer = this.get(hub);
    if (!peer) throw new Error(`peer ${hub} not found after pairing`);
    return peer;
  }

  list(): Peer[] {
    return this.selectAll.all().map(toPeer);
  }

  /** The paired peer with this id, or undefined (never paired, or unpaired). */
  get(hub: string): Peer | undefined {
    const r = this.selectOne.get(hub);
    return r && toPeer(r);
  }

  /** Sets where a paired hub is reached (undefined: find it by Beacon); returns whether it is paired. */
  setUrl(hub: string, url: string | undefined): boolean {
    if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) throw new RangeError(`url must be an http(s) URL, got ${JSON.stringify(url)}`);
    return this.updateUrl.run(url ?? null, hub).changes > 0;
  }

  /** Unpairs; returns whether the hub was paired. */
  remove(hub: string, now: number): boolean {
    return this.markUnpaired.run(now, hub).changes > 0;
  }
}
