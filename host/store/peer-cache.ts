import type { Statement } from 'better-sqlite3';
import type { BeaconRecord } from '../../firmware/beacon/beacon-record.js';
import type { Db } from './open-cartridge.js';

/** A verified beacon peer as cached in the cartridge. */
export interface CachedPeer {
  id: string;
  kind: 'hub' | 'node';
  name: string;
  board: string;
  version: string;
  services: string[];
  /** Where it was last heard from, and its API port there. */
  address: string;
  port: number;
  firstSeen: number;
  lastSeen: number;
}

interface PeerRow {
  id: string;
  kind: 'hub' | 'node';
  name: string;
  board: string;
  version: string;
  services: string;
  address: string;
  port: number;
  first_seen: number;
  last_seen: number;
}

/**
 * Beacon peers cached in the store: only records that verified (the signed
 * record bytes and signature are kept, so the cache can be re-checked), the
 * address last heard from, first and last seen. Stale entries are pruned
 * (the beacon forgets a peer after five minutes of silence).
 */
export class PeerCache {
  private readonly upsert: Statement<[string, Uint8Array, string, string, string, string, string, string, number, Uint8Array, Uint8Array, number, number]>;
  private readonly del: Statement<[string]>;
  private readonly all: Statement<[], PeerRow>;
  private readonly stale: Statement<[number]>;

  constructor(db: Db) {
    this.upsert = db.prepare(`
      INSERT INTO peers (id, public_key, kind, name, board, version, services, address, port, record, signature, first_seen, last_seen)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, board = excluded.board, version = excluded.version,
        services = excluded.services, address = excluded.address, port = excluded.port, record = excluded.record,
        signature = excluded.signature, last_seen = excluded.last_seen
      WHERE excluded.public_key = peers.public_key`);
    this.del = db.prepare('DELETE FROM peers WHERE id = ?');
    this.all = db.prepare('SELECT id, kind, name, board, version, services, address, port, first_seen, last_seen FROM peers ORDER BY id');
    this.stale = db.prepare('DELETE FROM peers WHERE last_seen < ?');
  }

  /** Records a verified peer; `signed` is the record's CBOR and its signature as received. */
  save(record: BeaconRecord, signed: { record: Uint8Array; signature: Uint8Array }, address: string, firstSeen: number, lastSeen: number): void {
    this.upsert.run(
      record.id,
      record.key,
      record.kind,
      record.name,
      record.board,
      record.version,
      JSON.stringify(record.services),
      address,
      record.port,
      signed.record,
      signed.signature,
      firstSeen,
      lastSeen,
    );
  }

  remove(id: string): void {
    this.del.run(id);
  }

  list(): CachedPeer[] {
    return this.all.all().map((r) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      board: r.board,
      version: r.version,
      services: JSON.parse(r.services) as string[],
      address: r.address,
      port: r.port,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
    }));
  }

  /** Deletes peers last seen before `before`; returns how many. */
  prune(before: number): number {
    return this.stale.run(before).changes;
  }
}
