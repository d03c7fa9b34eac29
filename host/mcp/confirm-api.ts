import type { IncomingMessage } from 'node:http';
import { parseJsonBody } from '../hub/decode-uplink.js';
import { HttpError } from '../hub/http-error.js';
import type { OwnerAccess } from '../hub/owner-access.js';
import { readBody } from '../hub/read-body.js';
import { sendJson } from '../hub/reply.js';
import { type Handler, type Routes, requireType, route } from '../hub/route.js';
import type { AskedBy } from '../store/pending-effects.js';
import type { AgentEffects } from './agent-effects.js';

const BODY_LIMIT = 1024;

/** Who made the request, as the events cite them (never the token's secret). */
export function askedBy(access: OwnerAccess, req: IncomingMessage): AskedBy {
  const c = access.callerOf(req);
  if (!c) throw new Error('an owner route reached its handler without a caller');
  return { token: c.token.id, name: c.token.name, via: c.via };
}

async function idOf(req: IncomingMessage): Promise<string> {
  requireType(req, ['application/json']);
  const b = parseJsonBody(await readBody(req, BODY_LIMIT)) as { id?: unknown } | null;
  if (typeof b !== 'object' || b === null || Array.isArray(b) || typeof b.id !== 'string' || b.id === '')
    throw new HttpError(400, 'bad-request', 'send {"id": "<pending effect id>"}', { path: '/id' });
  for (const k of Object.keys(b)) if (k !== 'id') throw new HttpError(400, 'bad-request', `unknown field '${k}' (known: id)`, { path: `/${k}` });
  return b.id;
}

/**
 * A person's answer to an agent's proposals (README "Agents (MCP)"): the
 * list of those waiting (read), and confirm or decline (admin: confirming
 * drives a node's output). Confirming one that expired, was declined or
 * does not exist is refused (409, 404) and runs nothing.
 */
export function confirmRoutes(ctx: { effects: AgentEffects; access: OwnerAccess }): Routes {
  // `now` is the hub's clock, which the expiries count on.
  const list: Handler = (_req, res) =>
    sendJson(res, 200, { pending: ctx.effects.pending(), now: ctx.effects.now(), confirmWithinMs: ctx.effects.confirmWithinMs });
  const confirm: Handler = async (req, res) => sendJson(res, 200, { effect: ctx.effects.confirm(await idOf(req), askedBy(ctx.access, req)) });
  const decline: Handler = async (req, res) => sendJson(res, 200, { effect: ctx.effects.decline(await idOf(req), askedBy(ctx.access, req)) });
  return {
    '/v1/effects/pending': { GET: route('read', list) },
    '/v1/effects/confirm': { POST: route('admin', confirm) },
    '/v1/effects/decline': { POST: route('admin', decline) },
  };
}
