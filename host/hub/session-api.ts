import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OwnerTokens } from '../store/owner-tokens.js';
import { parseJsonBody } from './decode-uplink.js';
import type { FailureLimit } from './failure-limit.js';
import { HttpError } from './http-error.js';
import { cookieValue, encrypted, type OwnerAccess, SESSION_COOKIE } from './owner-access.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';
import { SESSION_IDLE_MS, type SessionBook } from './sessions.js';

export interface SessionContext {
  tokens: OwnerTokens;
  sessions: SessionBook;
  access: OwnerAccess;
  /** Failed sign-ins (a bad token, a bad or used code) per address. */
  failures: FailureLimit;
  clock: () => number;
}

const SESSION_BODY_LIMIT = 1024;

function cookie(req: IncomingMessage, value: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${encrypted(req) ? '; Secure' : ''}`;
}

function address(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** The token in the body of POST /v1/session; a body that is not {"token": "…"} never has its text repeated. */
async function bodyToken(req: IncomingMessage): Promise<string> {
  requireType(req, ['application/json']);
  let doc: unknown;
  try {
    doc = parseJsonBody(await readBody(req, SESSION_BODY_LIMIT));
  } catch (e) {
    if (e instanceof HttpError) throw e;
    doc = undefined;
  }
  const token = (doc as { token?: unknown } | null)?.token;
  if (typeof doc !== 'object' || doc === null || typeof token !== 'string')
    throw new HttpError(400, 'bad-request', 'send {"token": "<owner token>"} as JSON', { path: '/token' });
  return token;
}

/**
 * Browser sessions (the contract the dashboard signs in with):
 * POST /v1/session {"token"} → 204 and the session cookie (HttpOnly,
 * SameSite=Strict, Secure over TLS) with the token's scope; GET → {"scope"}
 * or 401; DELETE signs out. GET /signin?code= spends a one-time sign-in
 * code, sets the cookie and sends the browser to /. Failed sign-ins count
 * against the caller's address (FailureLimit); successes do not.
 */
export function sessionRoutes(ctx: SessionContext): Routes {
  const now = () => Math.floor(ctx.clock());

  const signedIn = (req: IncomingMessage, res: ServerResponse, tokenId: string, status: number, headers: Record<string, string> = {}) => {
    const secret = ctx.sessions.open(tokenId, now());
    res.writeHead(status, { 'set-cookie': cookie(req, secret, SESSION_IDLE_MS / 1000), 'cache-control': 'no-store', ...headers });
    res.end();
  };

  const signIn: Handler = async (req, res) => {
    ctx.failures.check(address(req));
    const token = ctx.tokens.check(await bodyToken(req), now());
    if (!token) {
      ctx.failures.fail(address(req));
      throw new HttpError(401, 'unauthorized', 'the token is not valid here (unknown, revoked or expired)');
    }
    signedIn(req, res, token.id, 204);
  };

  const whoami: Handler = (req, res) => {
    const caller = ctx.access.identify(req);
    if (!caller) throw new HttpError(401, 'unauthorized', 'not signed in', {}, { 'www-authenticate': 'Bearer realm="fazt"' });
    sendJson(res, 200, { scope: caller.token.scope, token: { id: caller.token.id, name: caller.token.name }, via: caller.via });
  };

  const signOut: Handler = (req, res) => {
    const secret = cookieValue(req, SESSION_COOKIE);
    if (secret !== undefined) ctx.sessions.close(secret);
    res.writeHead(204, { 'set-cookie': cookie(req, '', 0), 'cache-control': 'no-store' });
    res.end();
  };

  const link: Handler = (req, res, url) => {
    ctx.failures.check(address(req));
    const code = url.searchParams.get('code');
    const tokenId = code === null ? undefined : ctx.sessions.spendCode(code, now());
    const token = tokenId === undefined ? undefined : ctx.tokens.liveById(tokenId, now());
    if (!token) {
      ctx.failures.fail(address(req));
      throw new HttpError(401, 'unauthorized', 'this sign-in link is unknown, used or expired: ask the hub for a new one');
    }
    signedIn(req, res, token.id, 303, { location: '/' });
  };

  return {
    '/v1/session': { POST: route('sign-in', signIn), GET: route('sign-in', whoami), DELETE: route('sign-in', signOut) },
    '/signin': { GET: route('sign-in', link) },
  };
}
