import type { IncomingMessage } from 'node:http';
import { MeshError } from '../mesh/mesh-error.js';
import { parseJsonBody } from './decode-uplink.js';
import { HttpError } from './http-error.js';
import type { OwnerAccess } from './owner-access.js';
import { readBody } from './read-body.js';
import { type Access, type Handler, type Route, requireType, route } from './route.js';

const STATUS: Partial<Record<string, number>> = { 'pair-invite': 403, 'bad-signature': 401, malformed: 400, unpaired: 404, unreachable: 502 };

/** A MeshError as the refusal a mesh route answers with (its code kept); anything else unchanged. */
function meshRefusal(e: unknown): unknown {
  if (e instanceof MeshError) return new HttpError(STATUS[e.code] ?? 409, e.code, e.message);
  return e;
}

/** A JSON object body of at most `limit` bytes, with only the `known` fields. */
export async function jsonObject(req: IncomingMessage, known: readonly string[], limit = 8192): Promise<Record<string, unknown>> {
  requireType(req, ['application/json']);
  const body = parseJsonBody(await readBody(req, limit));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad-request', 'send a JSON object');
  for (const k of Object.keys(body)) if (!known.includes(k)) throw new HttpError(400, 'bad-request', `unknown field '${k}' (known: ${known.join(', ')})`);
  return body as Record<string, unknown>;
}

/** Who asked, for the hub-chain event: the owner token, never its secret. */
export function askedBy(access: OwnerAccess, req: IncomingMessage): { token: string; name: string; via: string } {
  const c = access.callerOf(req);
  if (!c) throw new Error('a mesh change reached its handler without a caller');
  return { token: c.token.id, name: c.token.name, via: c.via };
}

/** A route whose MeshErrors answer with their own code (meshRefusal). */
export function meshRoute(access: Access, handler: Handler): Route {
  return route(access, async (req, res, url) => {
    try {
      await handler(req, res, url);
    } catch (e) {
      throw meshRefusal(e);
    }
  });
}
