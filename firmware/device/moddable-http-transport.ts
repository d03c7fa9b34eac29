import type { HttpPost } from '../../hal/contracts/http.js';
import { type ChunkResult, chunkReply, uplinkReply, type Transport, type UplinkResult } from '../uplink/transport.js';
import type { Timers } from '../../hal/contracts/time.js';
import { moddableHttpPost, parseHttpUrl, type HttpProvider } from '../../hal/moddable/moddable-http-post.js';

export type { HttpClient, HttpClientOptions } from '../../hal/moddable/moddable-http-post.js';

/**
 * The uplink on a Moddable device to a configured hub: POST <hub>/v1/uplink
 * with the CBOR batch (and POST <hub>/v1/downlink with a poll) through moddableHttpPost (the ECMA-419 HTTP client;
 * one client per exchange, the timeout and reply limit are its), the JSON
 * reply mapped by uplinkResult. A network error, a timeout or a reply that
 * is too large is a retryable result; nothing throws out of send.
 */
export interface ModdableHttpTransportOptions {
  /** The hub's base URL (node config hub.url), http only. */
  hubUrl: string;
  http: HttpProvider;
  timers: Timers;
  /** No answer within this long is a retryable failure (default 10 s). */
  timeoutMs?: number;
  /** Largest reply body read (default 4 KiB; the hub's replies are a few dozen bytes; firmware chunks are read up to their own limit). */
  maxReplyBytes?: number;
}

/** The largest chunk an OTA offer may name (firmware/ota/ota-offer.ts): a chunk reply is read up to this. */
const MAX_CHUNK_BYTES = 16_384;

export interface HubAddress {
  host: string;
  port: number;
  /** The uplink path: the URL's own path (if any) + /v1/uplink (polls go to the same + /v1/downlink). */
  path: string;
}

const UPLINK_PATH = '/v1/uplink';

/** Splits an http:// hub URL into host, port and the uplink path; https needs a TLS socket this transport does not wire. */
export function hubAddress(url: string): HubAddress {
  const { host, port, path } = parseHttpUrl(url, 'hubUrl');
  return { host, port, path: `${path.replace(/\/+$/, '')}${UPLINK_PATH}` };
}

export class ModdableHttpTransport implements Transport {
  readonly address: HubAddress;
  private readonly post: HttpPost;
  private readonly chunkPost: HttpPost;
  private readonly url: string;
  private readonly pollUrl: string;
  private readonly chunkUrl: string;

  constructor(o: ModdableHttpTransportOptions) {
    if (typeof o !== 'object' || o === null) throw new TypeError('options must be an object');
    this.post = moddableHttpPost(o.http, o.timers, { timeoutMs: o.timeoutMs, maxReplyBytes: o.maxReplyBytes });
    this.address = hubAddress(o.hubUrl);
    const { host, port, path } = this.address;
    this.url = `http://${host}:${port}${path}`;
    this.pollUrl = `${this.url.slice(0, -UPLINK_PATH.length)}/v1/downlink`;
    this.chunkUrl = `${this.url.slice(0, -UPLINK_PATH.length)}/v1/firmware/chunk`;
    this.chunkPost = moddableHttpPost(o.http, o.timers, { timeoutMs: o.timeoutMs, maxReplyBytes: MAX_CHUNK_BYTES });
  }

  send(batch: Uint8Array, done: (result: UplinkResult) => void): void {
    if (!(batch instanceof Uint8Array)) throw new TypeError('batch must be a Uint8Array');
    this.post(this.url, 'application/cbor', batch, (reply) => done(uplinkReply(reply)));
  }

  /** A signed downlink poll: POST <hub>/v1/downlink, answered like an uplink. */
  poll(request: Uint8Array, done: (result: UplinkResult) => void): void {
    if (!(request instanceof Uint8Array)) throw new TypeError('request must be a Uint8Array');
    this.post(this.pollUrl, 'application/cbor', request, (reply) => done(uplinkReply(reply)));
  }

  /** One chunk of an offered firmware image: POST <hub>/v1/firmware/chunk with the signed request; the bytes, or why not. */
  chunk(request: Uint8Array, done: (result: ChunkResult) => void): void {
    if (!(request instanceof Uint8Array)) throw new TypeError('request must be a Uint8Array');
    this.chunkPost(this.chunkUrl, 'application/cbor', request, (reply) => done(chunkReply(reply)));
  }
}
