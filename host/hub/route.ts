import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';
import { mediaType } from './read-body.js';

/** One route's handler: it answers, or throws what toHttpError turns into a refusal. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/** Paths (exact) to their handlers by method. */
export type Routes = Record<string, Record<string, Handler>>;

/** The request's media type, refused with 415 unless it is one of `allowed`. */
export function requireType(req: IncomingMessage, allowed: readonly string[]): string {
  const t = mediaType(req.headers['content-type']);
  if (!allowed.includes(t)) throw new HttpError(415, 'unsupported-media-type', `send ${allowed.join(' or ')} (got ${t || 'no content type'})`);
  return t;
}
