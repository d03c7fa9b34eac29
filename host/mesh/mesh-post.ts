import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { MeshError } from './mesh-error.js';

/** A mesh answer: its status, headers (names lower-case) and whole body. */
interface MeshAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

/** Sends one signed mesh request (its headers already made) and reads the whole answer. */
export type MeshPost = (url: URL, init: { body: Uint8Array; headers: Record<string, string>; timeoutMs: number }) => Promise<MeshAnswer>;

/** The largest answer read: twice the largest page taken (host/mesh/page-in.ts), so a page over that limit is still refused there, and recorded. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * Mesh requests over node:http(s) with keep-alive connections, for one round:
 * `close()` ends them. A page is read into one buffer sized by its
 * content-length and decoded from it: no fetch Response, no web stream, no
 * chunk list (a 400 KB page each time made that a fifth of a pull's CPU).
 * Any failure to send or read is MeshError 'unreachable' naming `peer` and
 * the origin (never a header); the timeout covers sending and reading.
 */
export function keepAlivePost(peer: string): { post: MeshPost; close: () => void } {
  // The round asks for the next page while one is stored: two connections at most.
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 2 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 2 }) };
  const post: MeshPost = (url, init) =>
    new Promise((resolve, reject) => {
      const fail = (e: Error) => reject(new MeshError('unreachable', `${peer} at ${url.origin}: ${e.message}`, { cause: e }));
      const https = url.protocol === 'https:';
      const req = (https ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        agent: https ? agents.https : agents.http,
        headers: { ...init.headers, 'content-length': String(init.body.length) },
        signal: AbortSignal.timeout(init.timeoutMs),
      });
      req.once('error', fail);
      req.once('response', (res) => {
        readBody(res).then((body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }), fail);
      });
      req.end(init.body);
    });
  return {
    post,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** The whole body, into one buffer when the length is announced (else the chunks joined once), at most MAX_ANSWER_BYTES. */
function readBody(res: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const announced = Number(res.headers['content-length']);
    const sized = Number.isSafeInteger(announced) && announced >= 0;
    if (sized && announced > MAX_ANSWER_BYTES) {
      res.destroy();
      return reject(new Error(`the answer announces ${announced} bytes, more than the ${MAX_ANSWER_BYTES} read`));
    }
    // A plain Uint8Array, not a Buffer: what the decoder cuts from it (Uint8Array.slice) are copies, as from any other bytes.
    let body = new Uint8Array(sized ? announced : 0);
    const chunks: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      if (n + c.length > (sized ? announced : MAX_ANSWER_BYTES)) {
        res.destroy(new Error(sized ? `the answer is longer than the ${announced} bytes it announced` : `the answer is longer than ${MAX_ANSWER_BYTES} bytes`));
        return;
      }
      if (sized) body.set(c, n);
      else chunks.push(c);
      n += c.length;
    });
    res.once('error', reject);
    res.once('aborted', () => reject(new Error('the answer was cut off')));
    res.once('end', () => {
      if (sized && n !== announced) return reject(new Error(`the answer ended after ${n} of the ${announced} bytes it announced`));
      if (!sized) {
        body = new Uint8Array(n);
        let at = 0;
        for (const c of chunks) {
          body.set(c, at);
          at += c.length;
        }
      }
      resolve(body);
    });
  });
}
