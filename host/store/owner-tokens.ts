import type { Statement } from 'better-sqlite3';
import { toBase32 } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { Db } from './open-cartridge.js';

/** What a token may do: `admin` ⊃ `read`; `metrics` reads /metrics and nothing else. */
export type TokenScope = 'read' | 'admin' | 'metrics';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'admin', 'metrics'];

/** A token as listed: never its secret. */
export interface TokenRecord {
  id: string;
  name: string;
  scope: TokenScope;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

interface TokenRow {
  id: string;
  name: string;
  scope: TokenScope;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** "fzt_" + 32 random bytes in base32 (52 characters): 256 bits. */
const OWNER_TOKEN_PATTERN = /^fzt_[a-z2-7]{52}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a name may not hold.
const NAME_PATTERN = /^[^\x00-\x1f\x7f]{1,64}$/u;
/** A used token's last_used_at is written at most this often (a busy dashboard is not a write a request). */
const TOUCH_MS = 60_000;

function record(r: TokenRow): TokenRecord {
  return { id: r.id, name: r.name, scope: r.scope, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at };
}

/**
 * The owner's API tokens (README "Access: owner only"): created with a
 * name and a scope, shown once, stored only as their SHA-256 (a stolen
 * cartridge hands out no access), revoked by id or name, optionally
 * expiring.
 */
export class OwnerTokens {
  private readonly insert: Statement<[string, string, TokenScope, Uint8Array, number, number | null]>;
  private readonly byHash: Statement<[Uint8Array], TokenRow>;
  private readonly byId: Statement<[string], TokenRow>;
  private readonly all: Statement<[], TokenRow>;
  private readonly activeByName: Statement<[string, number], TokenRow>;
  private readonly markRevoked: Statement<[number, string]>;
  private readonly touch: Statement<[number, string]>;
  private readonly encoder = new TextEncoder();

  constructor(
    db: Db,
    private readonly crypto: CryptoProvider,
    private readonly entropy: (n: number) => Uint8Array,
  ) {
    const cols = 'id, name, scope, created_at, expires_at, revoked_at, last_used_at';
    this.insert = db.prepare('INSERT INTO tokens (id, name, scope, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.byHash = db.prepare(`SELECT ${cols} FROM tokens WHERE hash = ?`);
    this.byId = db.prepare(`SELECT ${cols} FROM tokens WHERE id = ?`);
    this.all = db.prepare(`SELECT ${cols} FROM tokens ORDER BY created_at, id`);
    this.activeByName = db.prepare(`SELECT ${cols} FROM tokens WHERE name = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`);
    this.markRevoked = db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.touch = db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?');
  }

  /** A new token: its record and the secret, which nothing can show again. */
  create(options: { name: string; scope?: TokenScope; expiresAt?: number | null; now: number }): { token: string; record: TokenRecord } {
    const { name, now } = options;
    const scope = options.scope ?? 'admin';
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw new RangeError('name must be 1 to 64 characters, no control characters');
    if (!TOKEN_SCOPES.includes(scope)) throw new RangeError(`scope must be one of ${TOKEN_SCOPES.join(', ')}, got '${String(scope)}'`);
    const expiresAt = options.expiresAt ?? null;
    if (expiresAt !== null && (!Number.isSafeInteger(expiresAt) || expiresAt <= now)) throw new RangeError('expiresAt must be a moment after now');
    if (this.activeByName.get(name, now)) throw new RangeError(`a token named '${name}' exists: revoke it first or choose another name`);
    const secret = this.entropy(32);
    if (!(secret instanceof Uint8Array) || secret.length !== 32) throw new RangeError('entropy must return 32 bytes');
    const token = `fzt_${toBase32(secret)}`;
    const id = `t${toBase32(this.entropy(5))}`;
    this.insert.run(id, name, scope, this.hash(token), now, expiresAt);
    return { token, record: record(this.byId.get(id) as TokenRow) };
  }

  /** The live token this secret is (not revoked, not expired), marking it used; undefined for anything else. */
  check(token: string, now: number): TokenRecord | undefined {
    if (typeof token !== 'string' || !OWNER_TOKEN_PATTERN.test(token)) return undefined;
    const r = this.byHash.get(this.hash(token));
    if (!r || !this.live(r, now)) return undefined;
    if (r.last_used_at === null || now - r.last_used_at >= TOUCH_MS) this.touched(now, r.id);
    return record(r);
  }

  /** When a token was last used is a convenience figure: a full disk must not refuse the read it comes with. */
  private touched(now: number, id: string): void {
    try {
      this.touch.run(now, id);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'SQLITE_FULL') throw e;
    }
  }

  /** The token with this id while it is live (a session asks on every request: revoking a token ends its sessions). */
  liveById(id: string, now: number): TokenRecord | undefined {
    const r = this.byId.get(id);
    return r && this.live(r, now) ? record(r) : undefined;
  }

  list(): TokenRecord[] {
    return this.all.all().map(record);
  }

  /** Revokes the token with this id, or the live one with this name; undefined when neither exists. */
  revoke(idOrName: string, now: number): TokenRecord | undefined {
    const r = this.byId.get(idOrName) ?? this.activeByName.get(idOrName, now);
    if (!r) return undefined;
    this.markRevoked.run(now, r.id);
    return record(this.byId.get(r.id) as TokenRow);
  }

  private live(r: TokenRow, now: number): boolean {
    return r.revoked_at === null && (r.expires_at === null || now < r.expires_at);
  }

  private hash(token: string): Uint8Array {
    return this.crypto.sha256(this.encoder.encode(token));
  }
}
