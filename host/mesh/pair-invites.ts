import type { Statement } from 'better-sqlite3';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { Db } from '../store/open-cartridge.js';
import { SingleUse } from '../store/single-use.js';
import { MeshError } from './mesh-error.js';

/** A pairing invite as created: the secret is shown once, stored only as its SHA-256. */
export interface CreatedPairInvite {
  secret: Uint8Array;
  createdAt: number;
  expiresAt: number;
}

const MAX_TTL_MS = 30 * 86_400_000;

/**
 * Single-use, expiring invites to pair another hub with this one
 * (mesh_pair_invites, migration step 14), spent as enrolment invites are
 * (host/store/single-use.ts). A stolen cartridge holds no usable invite.
 */
export class PairInviteBook {
  private readonly insert: Statement<[Uint8Array, number, number]>;
  private readonly spending: SingleUse;

  constructor(
    db: Db,
    private readonly crypto: CryptoProvider,
  ) {
    this.insert = db.prepare('INSERT INTO mesh_pair_invites (token_hash, created_at, expires_at) VALUES (?, ?, ?)');
    this.spending = new SingleUse(db, 'mesh_pair_invites');
  }

  /** A new invite valid for ttlMs (1 s to 30 days); `entropy` gives its 16 random bytes. */
  create(o: { ttlMs: number; now: number; entropy: (n: number) => Uint8Array }): CreatedPairInvite {
    if (!Number.isSafeInteger(o.ttlMs) || o.ttlMs < 1000 || o.ttlMs > MAX_TTL_MS)
      throw new RangeError(`ttlMs must be whole milliseconds from 1 s to 30 days, got ${o.ttlMs}`);
    const secret = o.entropy(16);
    if (!(secret instanceof Uint8Array) || secret.length !== 16) throw new RangeError('entropy must return 16 bytes');
    this.insert.run(this.crypto.sha256(secret), o.now, o.now + o.ttlMs);
    return { secret, createdAt: o.now, expiresAt: o.now + o.ttlMs };
  }

  /**
   * Spends the invite for the hub `by`, or throws MeshError 'pair-invite'
   * saying whether it is unknown, used or expired. Call it in the
   * transaction that stores the peer, so both happen or neither.
   */
  claim(secret: Uint8Array, by: string, now: number): void {
    const refused = this.spending.spend(secret instanceof Uint8Array && secret.length === 16 ? this.crypto.sha256(secret) : undefined, by, now);
    if (refused?.reason === 'unknown') throw new MeshError('pair-invite', 'no pairing invite of this hub matches (mistyped, or made by another hub)');
    if (refused?.reason === 'used') throw new MeshError('pair-invite', `the pairing invite was already used at ${new Date(refused.at).toISOString()}`);
    if (refused?.reason === 'expired') throw new MeshError('pair-invite', `the pairing invite expired at ${new Date(refused.at).toISOString()}`);
  }
}
