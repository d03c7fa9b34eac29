import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { OwnerTokens, TokenRecord, TokenScope } from '../store/owner-tokens.js';
import type { FailureLimit } from './failure-limit.js';
import { HttpError } from './http-error.js';
import type { Access } from './route.js';
import type { SessionBook } from './sessions.js';

export const SESSION_COOKIE = 'fazt_session';

/** Which scopes each access admits (`admin` ⊃ `read`; `metrics` only /metrics). */
const ADMITS: Record<Exclude<Access, 'open' | 'sign-in' | 'peer'>, readonly TokenScope[]> = {
  read: ['read', 'admin'],
  admin: ['admin'],
  metrics: ['metrics', 'read', 'admin'],
};

/** Who called: the token (directly, or the one a session stands for) and how. */
export interface Caller {
  token: TokenRecord;
  via: 'bearer' | 'session';
}

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Whether the request came over TLS (its cookie is then Secure). */
export function encrypted(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true;
}

/** The hub's own origin as this request reached it. */
function ownOrigin(req: IncomingMessage): string {
  return `${encrypted(req) ? 'https' : 'http'}://${req.headers.host ?? ''}`;
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message, {}, { 'www-authenticate': 'Bearer realm="fazt"' });

/**
 * The owner-access check every route passes before its handler (README
 * "Access: owner only"): a Bearer token, or the session cookie a browser
 * holds; none or a dead one → 401 unauthorized, a scope the route does not
 * admit → 403 forbidden. A cookie-authenticated request that can change
 * something (not GET/HEAD) must come from the hub's own pages: Origin equal
 * to the hub's origin or Sec-Fetch-Site same-origin, else 403 cross-site.
 * Messages never repeat the credential. A Bearer token that is not good
 * counts against the caller's address in `failures` (shared with sign-in:
 * both are guesses at a token); past the limit a bad one is answered 429
 * with Retry-After. A good token always passes: a token cannot be guessed
 * (256 random bits), so the limit is there to slow a client down and keep
 * the log short, never to lock the owner's own tools out.
 */
export class OwnerAccess {
  private readonly callers = new WeakMap<IncomingMessage, Caller>();

  constructor(
    private readonly tokens: OwnerTokens,
    private readonly sessions: SessionBook,
    private readonly clock: () => number,
    private readonly failures?: FailureLimit,
  ) {}

  /** The caller, or a refusal; undefined for open, sign-in and peer routes (a peer route checks its own signature). */
  authorize(req: IncomingMessage, access: Access): Caller | undefined {
    if (access === 'open' || access === 'sign-in' || access === 'peer') return undefined;
    const caller = this.identify(req);
    if (!caller) throw unauthorized('this route needs an owner token: send Authorization: Bearer <token> (fazt token create) or sign in');
    if (!ADMITS[access].includes(caller.token.scope))
      throw new HttpError(403, 'forbidden', `a token of scope ${caller.token.scope} may not call this route (it needs ${access})`);
    this.callers.set(req, caller);
    return caller;
  }

  /** Who made this request, once authorize() let it through (handlers cite them in the events they append). */
  callerOf(req: IncomingMessage): Caller | undefined {
    return this.callers.get(req);
  }

  /** Who the request's credential names; undefined when it has none. A credential that is not good is 401. */
  identify(req: IncomingMessage): Caller | undefined {
    const now = Math.floor(this.clock());
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer +(\S+)\s*$/i.exec(header);
      if (!m) throw unauthorized('the Authorization header must be "Bearer <token>"');
      const token = this.tokens.check(m[1], now);
      if (!token) {
        const from = req.socket.remoteAddress ?? 'unknown';
        this.failures?.check(from);
        this.failures?.fail(from);
        throw unauthorized('the token is not valid here (unknown, revoked or expired)');
      }
      return { token, via: 'bearer' };
    }
    const cookie = cookieValue(req, SESSION_COOKIE);
    if (cookie === undefined) return undefined;
    const id = this.sessions.find(cookie, now);
    const token = id === undefined ? undefined : this.tokens.liveById(id, now);
    if (!token) throw unauthorized('the session has ended: sign in again');
    if (req.method !== 'GET' && req.method !== 'HEAD' && !sameOrigin(req))
      throw new HttpError(403, 'cross-site', "a signed-in browser may change things only from the hub's own pages (Origin does not match)");
    return { token, via: 'session' };
  }
}

function sameOrigin(req: IncomingMessage): boolean {
  if (req.headers['sec-fetch-site'] === 'same-origin') return true;
  return req.headers.origin !== undefined && req.headers.origin === ownOrigin(req);
}
