import type { IncomingMessage, ServerResponse } from 'node:http';
import type { apiRoutes } from './api.js';
import { HttpError, toHttpError } from './http-error.js';
import { sendError } from './reply.js';

/**
 * One request: its route and method (404, 405 with Allow), 503 while the
 * hub stops, and every refusal as a status and a JSON error body; an
 * internal error is logged.
 */
export async function serveRequest(
  routes: ReturnType<typeof apiRoutes>,
  req: IncomingMessage,
  res: ServerResponse,
  stopping: boolean,
  log: (record: Record<string, unknown>) => void,
): Promise<void> {
  try {
    if (stopping) {
      res.setHeader('connection', 'close');
      throw new HttpError(503, 'stopping', 'the hub is stopping');
    }
    const url = new URL(req.url ?? '/', 'http://hub');
    const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
    if (!route) throw new HttpError(404, 'not-found', `no route ${url.pathname}`);
    const handler = Object.hasOwn(route, req.method ?? '') ? route[req.method as string] : undefined;
    if (!handler)
      throw new HttpError(405, 'method-not-allowed', `${url.pathname} answers ${Object.keys(route).join(', ')}`, {}, { allow: Object.keys(route).join(', ') });
    await handler(req, res, url);
  } catch (e) {
    const err = toHttpError(e);
    if (err.status >= 500) log({ level: 'error', code: 'internal', message: (e as Error)?.message ?? String(e), method: req.method, url: req.url });
    // A body not read to its end (413, or a refusal before reading it) is never read: the connection closes after the refusal.
    const unread = err.status === 413 || (req.method !== 'GET' && req.method !== 'HEAD' && !req.readableEnded);
    sendError(res, err, unread);
    if (unread) res.once('finish', () => req.socket.destroySoon());
  }
}
