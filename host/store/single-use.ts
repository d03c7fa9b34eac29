import type { Statement } from 'better-sqlite3';
import type { Db } from './open-cartridge.js';

/** Why a single-use secret was refused, with the time that makes it so. */
export type SpendRefusal = { reason: 'unknown' } | { reason: 'used'; at: number } | { reason: 'expired'; at: number };

/**
 * The spending of single-use, expiring secrets stored only as their hash
 * (node enrolment invites, hub pairing invites): a table with token_hash,
 * expires_at, used_at and used_by. Spending is one conditional update, so
 * two callers racing for one secret cannot both win.
 */
export class SingleUse {
  private readonly select: Statement<[Uint8Array], { expires_at: number; used_at: number | null }>;
  private readonly markUsed: Statement<[number, string, Uint8Array]>;

  constructor(db: Db, table: 'invites' | 'mesh_pair_invites') {
    this.select = db.prepare(`SELECT expires_at, used_at FROM ${table} WHERE token_hash = ?`);
    this.markUsed = db.prepare(`UPDATE ${table} SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL`);
  }

  /** Marks the secret with this hash used by `by`; returns undefined, or why it cannot be. */
  spend(hash: Uint8Array | undefined, by: string, now: number): SpendRefusal | undefined {
    const row = hash && this.select.get(hash);
    if (!hash || !row) return { reason: 'unknown' };
    if (row.used_at !== null) return { reason: 'used', at: row.used_at };
    if (now >= row.expires_at) return { reason: 'expired', at: row.expires_at };
    if (this.markUsed.run(now, by, hash).changes !== 1) return { reason: 'used', at: now };
    return undefined;
  }
}
