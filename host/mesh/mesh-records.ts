import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open-cartridge.js';
import type { MeshErrorCode } from './mesh-error.js';

/** A fork seen: two validly signed entries at one (node, seq), the page that showed the other kept as proof. */
export interface ForkRecord {
  node: string;
  seq: number;
  stored: Uint8Array;
  other: Uint8Array;
  fromPeer: string | null;
  at: number;
}

export interface RefusalRecord {
  id: number;
  peer: string;
  code: MeshErrorCode;
  message: string;
  at: number;
}

/** The mesh's append-only records (migration step 14): forks kept as proof and refusals of what a peer sent. */
export class MeshRecords {
  private readonly insertFork: Statement<[string, number, Uint8Array, Uint8Array, Uint8Array, string, number]>;
  private readonly selectForks: Statement<[], { node: string; seq: number; stored: Buffer; other: Buffer; from_peer: string | null; at: number }>;
  private readonly insertRefusal: Statement<[string, string, string, number]>;
  private readonly selectRefusals: Statement<[number], RefusalRecord>;

  constructor(db: Db) {
    this.insertFork = db.prepare(
      'INSERT INTO mesh_forks (node, seq, stored, other, proof, from_peer, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (node, seq, other) DO NOTHING',
    );
    this.selectForks = db.prepare('SELECT node, seq, stored, other, from_peer, at FROM mesh_forks ORDER BY node, seq');
    this.insertRefusal = db.prepare('INSERT INTO mesh_refusals (peer, code, message, at) VALUES (?, ?, ?, ?)');
    this.selectRefusals = db.prepare('SELECT id, peer, code, message, at FROM mesh_refusals ORDER BY id DESC LIMIT ?');
  }

  /** Keeps a fork's proof; returns whether it is new (the same other entry seen again adds nothing). */
  fork(f: Omit<ForkRecord, 'fromPeer'> & { fromPeer: string; proof: Uint8Array }): boolean {
    return this.insertFork.run(f.node, f.seq, f.stored, f.other, f.proof, f.fromPeer, f.at).changes > 0;
  }

  forks(): ForkRecord[] {
    return this.selectForks.all().map((r) => ({
      node: r.node,
      seq: r.seq,
      stored: new Uint8Array(r.stored),
      other: new Uint8Array(r.other),
      fromPeer: r.from_peer,
      at: r.at,
    }));
  }

  refuse(peer: string, code: MeshErrorCode, message: string, at: number): void {
    this.insertRefusal.run(peer, code, message, at);
  }

  /** The newest refusals first. */
  refusals(limit = 50): RefusalRecord[] {
    return this.selectRefusals.all(limit);
  }
}
