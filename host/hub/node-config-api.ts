import { toHex } from '../../firmware/codec/text-encodings.js';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import type { Cartridge } from '../store/cartridge.js';
import { NodeLatest } from '../store/node-latest.js';
import { HttpError } from './http-error.js';
import { sendJson } from './reply.js';
import { type Handler, route, type Routes } from './route.js';

/**
 * GET /v1/nodes/config?node=: what the hub knows of a node's configuration —
 * its enrolment (id, key, name, board, when, retired or revoked) and what it
 * declared in its latest system.boot (firmware, board, outputs, and its
 * sensors, wiring, schedules and uplink: firmware/node/declared-config.ts).
 * `boot` is null before the node's first boot reached the hub.
 */
export function nodeConfigRoutes(ctx: { cartridge: Cartridge; nodeOf: (ref: string) => string }): Routes {
  const latest = new NodeLatest(ctx.cartridge.db);
  const config: Handler = (_req, res, url) => {
    for (const k of url.searchParams.keys()) if (k !== 'node') throw new HttpError(400, 'bad-query', `unknown parameter '${k}' (known: node)`);
    const ref = url.searchParams.get('node');
    if (!ref) throw new HttpError(400, 'bad-query', 'node is required: a node id or name');
    const id = ctx.nodeOf(ref);
    const node = ctx.cartridge.nodeSummary(id);
    const key = ctx.cartridge.nodeKey(id);
    const boot = latest.latest(id, 'system.boot')[0];
    sendJson(res, 200, {
      node: { ...node, publicKey: key && toHex(key.publicKey) },
      boot: boot ? { seq: boot.seq, time: boot.time, id: boot.id, ...(toJsonValue(boot.data) as object) } : null,
    });
  };
  // Who may call: reading a node's configuration, scope read (or admin).
  return { '/v1/nodes/config': { GET: route('read', config) } };
}
