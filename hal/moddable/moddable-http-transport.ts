import { utf8Decode } from '../../firmware/codec/utf8.js';
import { uplinkResult, type Transport, type UplinkResult } from '../../firmware/uplink/transport.js';
import type { TimerId, Timers } from '../contracts/time.js';

/**
 * The uplink on a Moddable device: POST <hub>/v1/uplink with the CBOR batch
 * over the ECMA-419 HTTP client (embedded:network/http/client), the JSON
 * reply mapped by uplinkResult. A network error, a timeout or a reply that
 * is too large is a retryable result; nothing throws out of send.
 *
 * The client class arrives in the shape of an ECMA-419 host provider's
 * `device.network.http` ({io, socket, dns}), so the mapping runs on Node
 * against a fake. Each send uses its own client, closed when the exchange
 * ends: Moddable's client closes itself after a connection error, and a
 * hub's idle keep-alive close would otherwise strand the next request.
 *
 * The callback order is the documented one: onWritable (the body, at most
 * `count` bytes per call, as content-length asks), then onHeaders, onReadable
 * (any number of times), onDone(null); or onDone(error) at any point.
 */
export interface HttpRequestHandle {
  read(count?: number): ArrayBuffer | undefined;
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

export interface ModdableHttpTransportOptions {
  /** The hub's base URL (node config hub.url), http only. */
  hubUrl: string;
  http: HttpProvider;
  timers: Timers;
  /** No answer within this long is a retryable failure (default 10 s). */
  timeoutMs?: number;
  /** Largest reply body read (default 4 KiB; the hub's replies are a few dozen bytes). */
  maxReplyBytes?: number;
}

export interface HubAddress {
  host: string;
  port: number;
  /** The uplink path: the URL's own path (if any) + /v1/uplink. */
  path: string;
}

/** Splits an http:// URL into host, port and the uplink path; https needs a TLS socket this transport does not wire. */
export function hubAddress(url: string): HubAddress {
  if (typeof url !== 'string') throw new TypeError(`hubUrl must be a string, got ${typeof url}`);
  const m = /^(https?):\/\/([^\s/:?#]+)(?::(\d{1,5}))?(\/[^\s?#]*)?$/.exec(url);
  if (!m) throw new RangeError(`hubUrl must look like http://host[:port][/path], got '${url}'`);
  if (m[1] === 'https') throw new RangeError(`hubUrl '${url}': https is not supported on Moddable devices yet (the ECMA-419 client needs a TLS socket and certificates); use http on the LAN`);
  const port = m[3] === undefined ? 80 : Number(m[3]);
  if (port < 1 || port > 65535) throw new RangeError(`hubUrl '${url}': port ${port} is out of range`);
  return { host: m[2], port, path: `${(m[4] ?? '').replace(/\/+$/, '')}/v1/uplink` };
}

export class ModdableHttpTransport implements Transport {
  readonly address: HubAddress;
  private readonly timeoutMs: number;
  private readonly maxReplyBytes: number;

  constructor(private readonly o: ModdableHttpTransportOptions) {
    if (typeof o !== 'object' || o === null) throw new TypeError('options must be an object');
    if (typeof o.http?.io !== 'function') throw new TypeError('http.io must be the ECMA-419 HTTP client class');
    this.address = hubAddress(o.hubUrl);
    this.timeoutMs = o.timeoutMs ?? 10_000;
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${o.timeoutMs}`);
    this.maxReplyBytes = o.maxReplyBytes ?? 4096;
    if (!(Number.isInteger(this.maxReplyBytes) && this.maxReplyBytes > 0)) throw new RangeError(`maxReplyBytes must be an integer > 0, got ${o.maxReplyBytes}`);
  }

  send(batch: Uint8Array, done: (result: UplinkResult) => void): void {
    if (!(batch instanceof Uint8Array)) throw new TypeError('batch must be a Uint8Array');
    const { host, port, path } = this.address;
    const where = `${host}:${port}`;
    const timers = this.o.timers;
    let client: HttpClient | undefined;
    let timer: TimerId | undefined;
    let finished = false;
    const finish = (result: UplinkResult): void => {
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
      done(result);
    };
    const retry = (message: string): UplinkResult => ({ ok: false, refused: false, message });
    const failed = (what: string, e: unknown): void => {
      const detail = e instanceof Error && e.message ? `: ${e.message}` : '';
      finish(retry(`${what} ${where}${detail}`));
    };

    let written = 0;
    let status = 0;
    const reply = new Uint8Array(this.maxReplyBytes);
    let received = 0;
    const maxReply = this.maxReplyBytes;
    timer = timers.setTimeout(() => {
      timer = undefined;
      finish(retry(`no answer from ${where} within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    try {
      client = new this.o.http.io({
        socket: this.o.http.socket,
        dns: this.o.http.dns,
        host,
        port,
        onError: (e?: unknown) => failed('connection to', e),
      });
      client.request({
        method: 'POST',
        path,
        headers: new Map([
          ['content-type', 'application/cbor'],
          ['content-length', String(batch.length)],
          ['accept', 'application/json'],
        ]),
        onWritable(count) {
          const n = Math.min(count, batch.length - written);
          if (finished || n <= 0) return;
          try {
            this.write(batch.subarray(written, written + n));
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
            if (received + chunk.byteLength > maxReply) return finish(retry(`reply from ${where} is larger than ${maxReply} bytes`));
            reply.set(new Uint8Array(chunk), received);
            received += chunk.byteLength;
          } catch (e) {
            failed('reading from', e);
          }
        },
        onDone(error) {
          if (error) return failed('cannot reach', error);
          let text = '';
          try {
            text = utf8Decode(reply, 0, received);
          } catch {
            // not UTF-8: judged by status alone, like a proxy's error page
          }
          finish(uplinkResult(status, text));
        },
      });
    } catch (e) {
      failed('cannot reach', e);
    }
  }
}
