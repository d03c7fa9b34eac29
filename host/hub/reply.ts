import type { ServerResponse } from 'node:http';
import type { HttpError } from './http-error.js';

/** Sends a JSON text (already serialised, so callers may use the lossless JSON form writer). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(text + '\n', 'utf8');
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendJsonText(res, status, JSON.stringify(value));
}

/** The refusal; `close` ends the connection after it (the rest of an over-long body is never read). */
export function sendError(res: ServerResponse, err: HttpError, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = close ? { ...err.headers, connection: 'close' } : err.headers;
  sendJsonText(res, err.status, err.body(), headers);
}
