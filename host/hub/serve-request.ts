import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, toHttpError } from './http-error.js';
import type { OwnerAccess } from './owner-access.js';
import type { RefusalLog } from './refusal-log.js';
import { sendError } from './reply.js';
import type { Routes } from './route.js';

/** The request's path and query for a log line, secrets (a sign-in code) left out. */
function loggable(url: string | undefined): string {
  return (url ?? '').replace(/([?&]code=)[^&#]*/g, '$1…');
}

/**
 * One request: its route and method (404, 405 with Allow), 503 while the
 * hub stops, the owner-access check (401, 403) before the handler, and
 * every refusal as a status and a JSON error body, and logged (an internal
 * error as an error). A 429 is logged once per address per period
 * (`refusals`): a guessing client must not flood the log.
 */
export async function serveRequest(
  routes: Routes,
  access: OwnerAccess,
  req: IncomingMessage,
  res: ServerResponse,
  stopping: boolean,
  log: (record: Record<string, unknown>) => void,
  refusals?: RefusalLog,
): Promise<void> {
  try {
    if (stopping) {
      res.setHeader('connection', 'close');
      throw new HttpError(503, 'stopping', 'the hub is stopping');
    }
    const url = new URL(req.url ?? '/', 'http://hub');
    const methods = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
    if (!methods) throw new HttpError(404, 'not-found', `no route ${url.pathname}`);
    const route = Object.hasOwn(methods, req.method ?? '') ? methods[req.method as string] : undefined;
    if (!route)
      throw new HttpError(
        405,
        'method-not-allowed',
        `${url.pathname} answers ${Object.keys(methods).join(', ')}`,
        {},
        { allow: Object.keys(methods).join(', ') },
      );
    access.authorize(req, route.access);
    await route.handler(req, res, url);
  } catch (e) {
    const err = toHttpError(e);
    // A full store is not a bug in the hub: said as what it is and what to do, with no stack or path.
    if (err.code === 'store-full') log({ level: 'error', code: 'store-full', message: err.message, route: `${req.method} ${loggable(req.url).split('?')[0]}` });
    else if (err.status >= 500)
      log({ level: 'error', code: 'internal', message: (e as Error)?.message ?? String(e), method: req.method, url: loggable(req.url) });
    // A guesser's 429s, and bodies cut short (a slow body past the request timeout), are logged once per address per period.
    else if ((err.status === 429 || err.code === 'aborted') && refusals)
      refusals.note(err.code, req.socket.remoteAddress, {
        status: err.status,
        route: `${req.method} ${loggable(req.url).split('?')[0]}`,
        message: err.message,
      });
    // What the hub refused, and to whom: a node stuck on a broken chain, a wrong token, a scan.
    else if (err.status !== 503)
      log({
        level: 'warn',
        code: 'refused',
        status: err.status,
        error: err.code,
        route: `${req.method} ${loggable(req.url).split('?')[0]}`,
        from: req.socket.remoteAddress,
        message: err.message,
      });
    // A body not read to its end (413, or a refusal before reading it) is never read: the connection closes after the refusal.
    const unread = err.status === 413 || (req.method !== 'GET' && req.method !== 'HEAD' && !req.readableEnded);
    sendError(res, err, unread);
    if (unread) res.once('finish', () => req.socket.destroySoon());
  }
}
