import type { IncomingMessage } from 'node:http';
import { type OwnerTokens, TOKEN_SCOPES, type TokenScope } from '../store/owner-tokens.js';
import { parseJsonBody } from './decode-uplink.js';
import { HttpError } from './http-error.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';

const BODY_LIMIT = 4 * 1024;

async function jsonObject(req: IncomingMessage, fields: readonly string[]): Promise<Record<string, unknown>> {
  requireType(req, ['application/json']);
  const doc = parseJsonBody(await readBody(req, BODY_LIMIT));
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new HttpError(400, 'bad-request', `the body must be an object (${fields.join(', ')})`);
  for (const k of Object.keys(doc))
    if (!fields.includes(k)) throw new HttpError(400, 'bad-request', `unknown field '${k}' (known: ${fields.join(', ')})`, { path: `/${k}` });
  return doc as Record<string, unknown>;
}

/**
 * The owner's tokens, administered by an admin: GET /v1/tokens lists them
 * (never a secret); POST /v1/tokens {name, scope?, expiresInMs?} makes one
 * and answers with its secret, the only time it is shown; POST
 * /v1/tokens/revoke {token: id or name} revokes one.
 */
export function tokensRoutes(ctx: { tokens: OwnerTokens; clock: () => number }): Routes {
  const now = () => Math.floor(ctx.clock());

  const list: Handler = (_req, res) => sendJson(res, 200, { tokens: ctx.tokens.list() });

  const create: Handler = async (req, res) => {
    const b = await jsonObject(req, ['name', 'scope', 'expiresInMs']);
    if (b.scope !== undefined && !TOKEN_SCOPES.includes(b.scope as TokenScope))
      throw new HttpError(400, 'bad-request', `scope must be one of ${TOKEN_SCOPES.join(', ')}`, { path: '/scope' });
    const ttl = b.expiresInMs;
    if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 60_000))
      throw new HttpError(400, 'bad-request', 'expiresInMs must be whole milliseconds, at least a minute', { path: '/expiresInMs' });
    const t = now();
    try {
      const made = ctx.tokens.create({
        name: b.name as string,
        scope: b.scope as TokenScope | undefined,
        expiresAt: ttl === undefined ? null : t + ttl,
        now: t,
      });
      sendJson(res, 201, { token: made.token, ...made.record });
    } catch (e) {
      if (e instanceof RangeError) throw new HttpError(400, 'bad-request', e.message);
      throw e;
    }
  };

  const revoke: Handler = async (req, res) => {
    const ref = (await jsonObject(req, ['token'])).token;
    if (typeof ref !== 'string' || ref.length === 0 || ref.length > 64)
      throw new HttpError(400, 'bad-request', 'send {"token": "<id or name>"}', { path: '/token' });
    const r = ctx.tokens.revoke(ref, now());
    if (!r) throw new HttpError(404, 'unknown-token', 'no token has this id or name');
    sendJson(res, 200, { revoked: r });
  };

  return {
    '/v1/tokens': { GET: route('admin', list), POST: route('admin', create) },
    '/v1/tokens/revoke': { POST: route('admin', revoke) },
  };
}
