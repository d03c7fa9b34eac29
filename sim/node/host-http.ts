import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpReply } from '../../hal/contracts/http.js';

/**
 * A simulated node's HTTP, done by the host process on its own network (the
 * XS bridge's 'uplink' and 'http' ops, the Node runtime, the demo's
 * enrolment): a POST, with the answer as {status, body}, or {error} when the
 * peer cannot be reached. On node:http rather than fetch: undici, loaded by
 * the first fetch, costs the demo's process ~12 MB resident and ~150 ms.
 */
export function hostHttpPost(url: string, contentType: string, body: Uint8Array, timeoutMs = 10_000): Promise<HttpReply> {
  return new Promise((resolve) => {
    const unreachable = (e: Error): void => resolve({ error: `cannot reach ${url}: ${(e as NodeJS.ErrnoException).code ?? e.message}` });
    const answered = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)) }));
      res.on('error', unreachable);
    };
    try {
      const request = url.startsWith('https:') ? httpsRequest : httpRequest;
      const req = request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.byteLength } }, answered);
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', unreachable);
      req.end(body);
    } catch (e) {
      unreachable(e as Error); // not a URL, or not http(s)
    }
  });
}
