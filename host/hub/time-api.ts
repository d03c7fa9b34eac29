import type { Timekeeper } from '../time/timekeeper.js';
import { HttpError } from './http-error.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, route } from './route.js';

/**
 * The hub's clock: the signed time answer peers and nodes poll (open), its
 * status and the last round's peer readings (read), and a sync on demand (admin).
 */
export function timeRoutes(ctx: { timekeeper: Timekeeper }): Routes {
  const time: Handler = (_req, res, url) => {
    const nonce = url.searchParams.get('nonce');
    if (nonce === null || !/^[0-9a-f]{32}$/.test(nonce)) throw new HttpError(400, 'bad-query', 'nonce must be 16 random bytes as 32 lowercase hex digits');
    sendJson(res, 200, ctx.timekeeper.answer(nonce));
  };

  const timeStatus: Handler = (_req, res) => sendJson(res, 200, ctx.timekeeper.status());
  const timePeers: Handler = (_req, res) => sendJson(res, 200, { readings: ctx.timekeeper.readingsOfLastRound() });
  const timeSync: Handler = async (_req, res) => sendJson(res, 200, { status: await ctx.timekeeper.sync(), readings: ctx.timekeeper.readingsOfLastRound() });

  return {
    '/v1/time': { GET: route('open', time) },
    '/v1/time/status': { GET: route('read', timeStatus) },
    '/v1/time/peers': { GET: route('read', timePeers) },
    '/v1/time/sync': { POST: route('admin', timeSync) },
  };
}
