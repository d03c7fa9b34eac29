import type { HttpPost, HttpReply } from '../contracts/http.js';
import type { TimerId, Timers } from '../contracts/time.js';

/**
 * An HTTP POST on a Moddable device, over the ECMA-419 HTTP client
 * (embedded:network/http/client): the body out, the status and body text
 * back, as hal/contracts/http.ts's HttpPost. HttpPostTransport
 * (the uplink to a configured hub.url) and HubLink (enrolment and uplink to
 * a hub found by Beacon) both use it.
 *
 * The client class arrives in the shape of an ECMA-419 host provider's
 * `device.network.http` ({io, socket, dns}), so the mapping runs on Node
 * against a fake. Each POST uses its own client, closed when the exchange
 * ends: Moddable's client closes itself after a connection error, and a
 * hub's idle keep-alive close would otherwise strand the next request.
 *
 * The callback order is the documented one: onWritable (the body, at most
 * `count` bytes per call, as content-length asks), then onHeaders, onReadable
 * (any number of times), onDone(null); or onDone(error) at any point.
 *
 * What the caller gets: `done` runs exactly once, with {status, body} when
 * the exchange completed (any status; the body as the bytes received),
 * or {error} when the hub could not be reached, did not answer within
 * timeoutMs, answered more than maxReplyBytes, or the URL is not one this
 * client can reach (not http://host[:port][/path]: https needs a TLS socket
 * this does not wire). The URL is an {error}, not an exception, because it
 * comes from the network (a beacon), not from the program; options that are
 * wrong, and a body or content type that is not one, throw TypeError/RangeError.
 */
export interface HttpRequestHandle {
  read(count?: number): ArrayBuffer | undefined;
  // biome-ignore lint/suspicious/noConfusingVoidType: ECMA-419 lets write() return nothing; implementations that do are typed void.
  write(data: Uint8Array): number | void;
}

export interface HttpRequestOptions {
  method: string;
  path: string;
  headers: Map<string, string>;
  onWritable(this: HttpRequestHandle, count: number): void;
  onHeaders(this: HttpRequestHandle, status: number, headers: Map<string, string>): void;
  onReadable(this: HttpRequestHandle, count: number): void;
  onDone(this: HttpRequestHandle, error: Error | null): void;
}

export interface HttpClient {
  request(options: HttpRequestOptions): HttpRequestHandle;
  close(): void;
}

export interface HttpClientOptions {
  host: string;
  port: number;
  socket: { io: unknown };
  dns: { io: unknown; servers?: string[]; socket?: { io: unknown } };
  onError?: (error?: unknown) => void;
}

/** ECMA-419's `device.network.http`: the client class and the socket and resolver it builds on. */
export interface HttpProvider {
  io: new (options: HttpClientOptions) => HttpClient;
  socket: { io: unknown };
  dns: { io: unknown; servers?: string[]; socket?: { io: unknown } };
}

export interface ModdableHttpPostOptions {
  /** No answer within this long is an {error} (default 10 s). */
  timeoutMs?: number;
  /** Largest reply body read (default 4 KiB; the hub's replies are a few dozen bytes). */
  maxReplyBytes?: number;
}

export interface HttpUrl {
  host: string;
  port: number;
  /** The path, '/' when the URL has none. */
  path: string;
}

/**
 * Splits an http:// URL (RFC 3986 §3: host, optional port, optional path;
 * no userinfo, query or fragment) into what the client takes; throws
 * RangeError naming `name` otherwise, and for https.
 */
export function parseHttpUrl(url: string, name = 'url'): HttpUrl {
  if (typeof url !== 'string') throw new TypeError(`${name} must be a string, got ${typeof url}`);
  const m = /^(https?):\/\/([^\s/:?#@]+)(?::(\d{1,5}))?(\/[^\s?#]*)?$/.exec(url);
  if (!m) throw new RangeError(`${name} must look like http://host[:port][/path], got '${url}'`);
  if (m[1] === 'https')
    throw new RangeError(
      `${name} '${url}': https is not supported on Moddable devices yet (the ECMA-419 client needs a TLS socket and certificates); use http on the LAN`,
    );
  const port = m[3] === undefined ? 80 : Number(m[3]);
  if (port < 1 || port > 65535) throw new RangeError(`${name} '${url}': port ${port} is out of range`);
  return { host: m[2], port, path: m[4] ?? '/' };
}

/** A POST over `http` (the ECMA-419 HTTP client provider), timed by `timers`. */
export function moddableHttpPost(http: HttpProvider, timers: Timers, options: ModdableHttpPostOptions = {}): HttpPost {
  if (typeof http !== 'object' || http === null || typeof http.io !== 'function') throw new TypeError('http.io must be the ECMA-419 HTTP client class');
  if (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function')
    throw new TypeError('timers must have setTimeout and clearTimeout');
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${options.timeoutMs}`);
  const maxReply = options.maxReplyBytes ?? 4096;
  if (!(Number.isInteger(maxReply) && maxReply > 0)) throw new RangeError(`maxReplyBytes must be an integer > 0, got ${options.maxReplyBytes}`);

  return (url, contentType, body, done) => {
    if (typeof contentType !== 'string' || !contentType) throw new TypeError('contentType must be a non-empty string');
    if (!(body instanceof Uint8Array)) throw new TypeError('body must be a Uint8Array');
    if (typeof done !== 'function') throw new TypeError('done must be a function');
    let target: HttpUrl;
    try {
      target = parseHttpUrl(url);
    } catch (e) {
      return done({ error: (e as Error).message });
    }
    const { host, port, path } = target;
    const where = `${host}:${port}`;
    let client: HttpClient | undefined;
    let timer: TimerId | undefined;
    let finished = false;
    const finish = (reply: HttpReply): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      const c = client;
      client = undefined;
      try {
        c?.close();
      } catch {
        // already closed by its own error path
      }
      done(reply);
    };
    const failed = (what: string, e: unknown): void => {
      const detail = e instanceof Error && e.message ? `: ${e.message}` : '';
      finish({ error: `${what} ${where}${detail}` });
    };

    let written = 0;
    let status = 0;
    const reply = new Uint8Array(maxReply);
    let received = 0;
    timer = timers.setTimeout(() => {
      timer = undefined;
      finish({ error: `no answer from ${where} within ${timeoutMs} ms` });
    }, timeoutMs);
    try {
      client = new http.io({ socket: http.socket, dns: http.dns, host, port, onError: (e?: unknown) => failed('connection to', e) });
      client.request({
        method: 'POST',
        path,
        headers: new Map([
          ['content-type', contentType],
          ['content-length', String(body.length)],
        ]),
        onWritable(count) {
          const n = Math.min(count, body.length - written);
          if (finished || n <= 0) return;
          try {
            this.write(body.subarray(written, written + n));
            written += n;
          } catch (e) {
            failed('sending to', e);
          }
        },
        onHeaders(s) {
          status = s;
        },
        onReadable(count) {
          if (finished) return;
          try {
            const chunk = this.read(count);
            if (chunk === undefined) return;
            if (received + chunk.byteLength > maxReply) return finish({ error: `reply from ${where} is larger than ${maxReply} bytes` });
            reply.set(new Uint8Array(chunk), received);
            received += chunk.byteLength;
          } catch (e) {
            failed('reading from', e);
          }
        },
        onDone(error) {
          if (error) return failed('cannot reach', error);
          finish({ status, body: reply.slice(0, received) });
        },
      });
    } catch (e) {
      failed('cannot reach', e);
    }
  };
}
