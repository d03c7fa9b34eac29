import type { IncomingMessage } from 'node:http';
import type { Cartridge } from '../store/cartridge.js';
import { parseJsonBody } from './decode-uplink.js';
import { HttpError } from './http-error.js';
import type { HubLog } from './hub-log.js';
import { nodeConfigRoutes } from './node-config-api.js';
import { resolveNodeRef } from './node-ref.js';
import type { OwnerAccess } from './owner-access.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';

const BODY_LIMIT = 4 * 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a name may not hold.
const NAME = /^[^\x00-\x1f\x7f]{1,64}$/u;

async function body(req: IncomingMessage, fields: readonly string[]): Promise<Record<string, string>> {
  requireType(req, ['application/json']);
  const doc = parseJsonBody(await readBody(req, BODY_LIMIT));
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new HttpError(400, 'bad-request', `send {${fields.join(', ')}}`);
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!fields.includes(k)) throw new HttpError(400, 'bad-request', `unknown field '${k}' (known: ${fields.join(', ')})`, { path: `/${k}` });
  for (const f of fields)
    if (typeof o[f] !== 'string' || o[f] === '') throw new HttpError(400, 'bad-request', `${f} must be a non-empty string`, { path: `/${f}` });
  return o as Record<string, string>;
}

/**
 * The owner's view of an enrolled node's configuration (read, node-config-api.ts) and changes to it (admin): rename, retire (history
 * kept, no longer expected), revoke (a lost or stolen node: its key's
 * batches and polls are refused from now on). Each change and the event
 * saying so on the hub's chain (system.node.renamed|retired|revoked, citing
 * the token that asked) are one commit.
 */
export function nodesRoutes(ctx: { cartridge: Cartridge; hubLog: () => HubLog; access: OwnerAccess; clock: () => number }): Routes {
  const nodeOf = (ref: string): string => {
    const id = resolveNodeRef(ref, () => ctx.cartridge.nodeNames());
    if (!ctx.cartridge.isNode(id)) throw new HttpError(404, 'unknown-node', `no enrolled node ${id}`);
    return id;
  };
  const by = (req: IncomingMessage) => {
    const c = ctx.access.callerOf(req);
    if (!c) throw new Error('a node change reached its handler without a caller');
    return { token: c.token.id, name: c.token.name, via: c.via };
  };
  const node = (id: string) => ctx.cartridge.nodeSummary(id);

  const rename: Handler = async (req, res) => {
    const b = await body(req, ['node', 'name']);
    if (!NAME.test(b.name)) throw new HttpError(400, 'bad-request', 'name must be 1 to 64 characters, no control characters', { path: '/name' });
    const id = nodeOf(b.node);
    const previous = node(id)?.name;
    const log = ctx.hubLog();
    log.atomically(() => {
      ctx.cartridge.nodeAdmin.rename(id, b.name);
      log.append('system.node.renamed', 'owner', { node: id, name: b.name, ...(previous ? { previous } : {}), by: by(req) });
    });
    sendJson(res, 200, { node: node(id) });
  };

  const change =
    (kind: 'retire' | 'revoke', type: string): Handler =>
    async (req, res) => {
      const id = nodeOf((await body(req, ['node'])).node);
      const before = node(id);
      const already = kind === 'retire' ? before?.retiredAt : before?.revokedAt;
      if (already == null) {
        const log = ctx.hubLog();
        log.atomically(() => {
          ctx.cartridge.nodeAdmin[kind](id, Math.floor(ctx.clock()));
          log.append(type, 'owner', { node: id, by: by(req) });
        });
      }
      sendJson(res, 200, { node: node(id) });
    };

  return {
    '/v1/nodes/rename': { POST: route('admin', rename) },
    '/v1/nodes/retire': { POST: route('admin', change('retire', 'system.node.retired')) },
    '/v1/nodes/revoke': { POST: route('admin', change('revoke', 'system.node.revoked')) },
    ...nodeConfigRoutes({ cartridge: ctx.cartridge, nodeOf }),
  };
}
