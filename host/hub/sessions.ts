import { toBase32, toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';

/** A session ends after this long unused (and with its token, whichever comes first). */
export const SESSION_IDLE_MS = 30 * 86_400_000;
/** A one-time sign-in code is good for this long, once. */
const SIGNIN_CODE_MS = 10 * 60_000;
/** Most sessions (and codes) held; the least recently used goes first. */
const MAX_HELD = 1000;

interface Held {
  tokenId: string;
  /** Sessions: last used; codes: when it expires. */
  at: number;
}

/**
 * Browser sessions and one-time sign-in codes, in memory (a restart signs
 * browsers out). Each is a random secret known only to the browser (or the
 * terminal that printed the link); the hub keeps its SHA-256 and the token
 * it stands for, so a session has its token's scope and ends with it.
 */
export class SessionBook {
  private readonly sessions = new Map<string, Held>();
  private readonly codes = new Map<string, Held>();
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly crypto: CryptoProvider,
    private readonly entropy: (n: number) => Uint8Array,
  ) {}

  /** A new session for the token: the cookie's value. */
  open(tokenId: string, now: number): string {
    const secret = toBase32(this.entropy(32));
    this.hold(this.sessions, this.key(secret), { tokenId, at: now });
    return secret;
  }

  /** The token of a live session, which counts as used now; undefined for an unknown or idle one. */
  find(secret: string, now: number): string | undefined {
    const k = this.key(secret);
    const s = this.sessions.get(k);
    if (!s) return undefined;
    this.sessions.delete(k);
    if (now - s.at >= SESSION_IDLE_MS) return undefined;
    this.sessions.set(k, { tokenId: s.tokenId, at: now }); // most recently used last
    return s.tokenId;
  }

  close(secret: string): void {
    this.sessions.delete(this.key(secret));
  }

  /** A one-time sign-in code for the token, good for SIGNIN_CODE_MS. */
  mintCode(tokenId: string, now: number): string {
    const code = toBase32(this.entropy(20));
    this.hold(this.codes, this.key(code), { tokenId, at: now + SIGNIN_CODE_MS });
    return code;
  }

  /** Spends the code: its token, or undefined for an unknown, used or expired code. */
  spendCode(code: string, now: number): string | undefined {
    const k = this.key(code);
    const c = this.codes.get(k);
    this.codes.delete(k);
    return c && now < c.at ? c.tokenId : undefined;
  }

  private hold(map: Map<string, Held>, key: string, held: Held): void {
    map.set(key, held);
    for (const k of map.keys()) {
      if (map.size <= MAX_HELD) break;
      map.delete(k);
    }
  }

  private key(secret: string): string {
    return toHex(this.crypto.sha256(this.encoder.encode(String(secret))));
  }
}
