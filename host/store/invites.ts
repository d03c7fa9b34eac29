import type { Statement } from 'better-sqlite3';
import { toBase32 } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { Db } from './open-cartridge.js';
import { SingleUse } from './single-use.js';
import { StoreError } from './store-error.js';

export interface Invite {
  /** The secret: shown once, stored only as its SHA-256. */
  token: string;
  createdAt: number;
  expiresAt: number;
  note?: string;
}

export interface CreateInviteOptions {
  ttlMs: number;
  now: number;
  note?: string;
  /** 20 random bytes come from here (node:crypto's randomBytes on a hub). */
  entropy: (n: number) => Uint8Array;
}

/** "fzi" + 20 random bytes in base32: 35 characters, 160 bits. */
export const INVITE_TOKEN_PATTERN = /^fzi[a-z2-7]{32}$/;
const MAX_TTL_MS = 366 * 86_400_000;

/**
 * Single-use, expiring enrolment invites. The token itself is never stored:
 * a stolen cartridge does not hand out enrolments.
 */
export class InviteBook {
  private readonly insert: Statement<[Uint8Array, number, number, string | null]>;
  private readonly spending: SingleUse;
  private readonly encoder = new TextEncoder();

  constructor(
    db: Db,
    private readonly crypto: CryptoProvider,
  ) {
    this.insert = db.prepare('INSERT INTO invites (token_hash, expires_at, created_at, note) VALUES (?, ?, ?, ?)');
    this.spending = new SingleUse(db, 'invites');
  }

  create(options: CreateInviteOptions): Invite {
    const { ttlMs, now, note } = options;
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000 || ttlMs > MAX_TTL_MS)
      throw new RangeError(`ttlMs must be whole milliseconds from 1 s to 366 days, got ${ttlMs}`);
    if (note !== undefined && (typeof note !== 'string' || note.length > 200)) throw new RangeError('note must be a string of at most 200 characters');
    const seed = options.entropy(20);
    if (!(seed instanceof Uint8Array) || seed.length !== 20) throw new RangeError('entropy must return 20 bytes');
    const token = 'fzi' + toBase32(seed);
    this.insert.run(this.hash(token), now + ttlMs, now, note ?? null);
    const invite: Invite = { token, createdAt: now, expiresAt: now + ttlMs };
    if (note !== undefined) invite.note = note;
    return invite;
  }

  /**
   * Spends the invite for `node`, or throws StoreError invite-unknown,
   * invite-used or invite-expired. Call it inside the transaction that
   * registers the node, so both happen or neither.
   */
  claim(token: string, node: string, now: number): void {
    const refused = this.spending.spend(typeof token === 'string' && INVITE_TOKEN_PATTERN.test(token) ? this.hash(token) : undefined, node, now);
    if (refused?.reason === 'unknown') throw new StoreError('invite-unknown', 'no invite has this token');
    if (refused?.reason === 'used') throw new StoreError('invite-used', `the invite was already used at ${new Date(refused.at).toISOString()}`);
    if (refused?.reason === 'expired') throw new StoreError('invite-expired', `the invite expired at ${new Date(refused.at).toISOString()}`);
  }

  private hash(token: string): Uint8Array {
    return this.crypto.sha256(this.encoder.encode(String(token)));
  }
}
