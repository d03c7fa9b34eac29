import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';
import { mediaType } from './read-body.js';

/** One route's handler: it answers, or throws what toHttpError turns into a refusal. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/**
 * Who may call a route (README "Access: owner only"):
 * - `open`: anyone; the route carries signed data or nothing private (uplink, enrolment, signed time, beacon, health);
 * - `sign-in`: anyone; the route checks the credential it is given itself (sessions, the sign-in link);
 * - `read`: a token or session of scope read or admin;
 * - `admin`: scope admin;
 * - `metrics`: scope metrics, read or admin (a scraper's token reads /metrics and nothing else);
 * - `peer`: a paired hub; the handler checks the request's mesh signature (host/mesh/mesh-auth.ts), never an owner token.
 */
export type Access = 'open' | 'sign-in' | 'read' | 'admin' | 'metrics' | 'peer';

/** A handler and who may call it. */
export interface Route {
  access: Access;
  handler: Handler;
}

/** Paths (exact) to their routes by method: the table the access test enumerates. */
export type Routes = Record<string, Record<string, Route>>;

/** A route: `access` says who may call `handler`. */
export function route(access: Access, handler: Handler): Route {
  return { access, handler };
}

/** The request's media type, refused with 415 unless it is one of `allowed`. */
export function requireType(req: IncomingMessage, allowed: readonly string[]): string {
  const t = mediaType(req.headers['content-type']);
  if (!allowed.includes(t)) throw new HttpError(415, 'unsupported-media-type', `send ${allowed.join(' or ')} (got ${t || 'no content type'})`);
  return t;
}
