import type { HttpReply } from '../../hal/contracts/http.js';
import { utf8Decode } from '../codec/utf8.js';

/**
 * How a node's uplink reaches its hub: one signed batch out, the hub's answer
 * back. Implementations: fetch when the firmware runs on Node
 * (host/node/fetch-transport.ts), Moddable's ECMA-419 HTTP client on a device
 * (http-post-transport.ts), and a bridge to the simulator when it runs
 * inside XS (sim/xs/). The batch is deterministic CBOR (application/cbor).
 */
export interface UplinkAck {
  /** The highest contiguous seq the hub has stored for this node. */
  ack: number;
  /** Entries stored by this request (0 for a replay). */
  stored: number;
  /**
   * The hub's clock when it answered (ms since the epoch): a node without a
   * real-time clock takes its time from it (firmware/node/hub-clock.ts).
   * Absent from hubs that do not send it.
   */
  time?: number;
  /**
   * The signed part of the reply, as the hub sent it (checked by
   * firmware/uplink/signed-ack.ts before `time` or a command is trusted):
   * the Ed25519 signature and what it covers besides the fields above.
   * Each is present only when the reply has it.
   */
  sig?: string;
  head?: string;
  nonce?: string;
  commands?: unknown;
}

export type UplinkResult =
  | { ok: true; ack: UplinkAck }
  /**
   * The hub refused the batch: resending the same bytes will not help (4xx). `head`: on a
   * `gap`, the head the hub holds for this node; on a `chain-broken`, the same, hub-signed
   * (hubs that do not send it: absent).
   */
  | { ok: false; refused: true; status: number; code: string; message: string; head?: HubHead }
  /**
   * The hub could not be reached or failed (network error, timeout, 5xx): retry later, after
   * the Uplink's backoff, or after `retryAfterMs` when the transport knows better (a link
   * that has just found its hub says 0: the backoff measured a hub that was away).
   */
  | { ok: false; refused: false; message: string; retryAfterMs?: number };

/**
 * A node's chain head as its hub holds it: seq 0 (and no hash) when it holds nothing. `sig`: the
 * hub key's signature over it, on a `chain-broken` refusal (firmware/uplink/signed-head.ts).
 */
export interface HubHead {
  seq: number;
  hash?: string;
  sig?: string;
}

/** A head as a hub's refusal states it, or undefined when it is not one (not whole, negative, a hash not 64 hex digits). */
function hubHead(v: unknown): HubHead | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { seq, hash, sig } = v as { seq?: unknown; hash?: unknown; sig?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (hash === undefined) return { seq };
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
  // A signature is checked by whoever trusts the head (signed-head.ts); here only its form.
  return typeof sig === 'string' && /^[0-9a-f]{128}$/.test(sig) ? { seq, hash, sig } : { seq, hash };
}

export interface Transport {
  send(batch: Uint8Array, done: (result: UplinkResult) => void): void;
  /**
   * Asks the hub for commands with a signed poll (firmware/uplink/downlink-poll.ts,
   * POST /v1/downlink); the answer has the form of an uplink's. A transport
   * without it carries commands only in uplink acknowledgements.
   */
  poll?(request: Uint8Array, done: (result: UplinkResult) => void): void;
  /**
   * Fetches one chunk of a firmware image with a signed request
   * (firmware/ota/chunk-request.ts, POST /v1/firmware/chunk). A transport
   * without it cannot take firmware updates.
   */
  chunk?(request: Uint8Array, done: (result: ChunkResult) => void): void;
}

/**
 * A hub's JSON reply as an object, or {} when the body is not UTF-8 JSON of
 * an object (a proxy's HTML error page, for instance: the caller judges by
 * status alone).
 */
export function replyObject(body: Uint8Array | string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(typeof body === 'string' ? body : utf8Decode(body));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Turns an HTTP status and body into an UplinkResult (shared by the HTTP transports). */
export function uplinkResult(status: number, body: Uint8Array | string): UplinkResult {
  const parsed = replyObject(body) as {
    ack?: unknown;
    stored?: unknown;
    time?: unknown;
    sig?: unknown;
    head?: unknown;
    nonce?: unknown;
    commands?: unknown;
    error?: { code?: unknown; message?: unknown; head?: unknown };
  };
  if (status === 200 && typeof parsed.ack === 'number') {
    const ack: UplinkAck = { ack: parsed.ack, stored: typeof parsed.stored === 'number' ? parsed.stored : 0 };
    // A time that is not whole, non-negative milliseconds is ignored, not trusted.
    if (typeof parsed.time === 'number' && Number.isSafeInteger(parsed.time) && parsed.time >= 0) ack.time = parsed.time;
    if (typeof parsed.sig === 'string') ack.sig = parsed.sig;
    if (typeof parsed.head === 'string') ack.head = parsed.head;
    if (typeof parsed.nonce === 'string') ack.nonce = parsed.nonce;
    if (parsed.commands !== undefined) ack.commands = parsed.commands;
    return { ok: true, ack };
  }
  if (status >= 400 && status < 500) {
    const e = parsed.error ?? {};
    const refused: Extract<UplinkResult, { refused: true }> = {
      ok: false,
      refused: true,
      status,
      code: typeof e.code === 'string' ? e.code : `http-${status}`,
      message: typeof e.message === 'string' ? e.message : `HTTP ${status}`,
    };
    const head = hubHead(e.head);
    if (head) refused.head = head;
    return refused;
  }
  return { ok: false, refused: false, message: `hub answered HTTP ${status}` };
}

/** An HTTP POST's outcome as an UplinkResult: an unreachable hub is retryable, a reply is judged by uplinkResult. */
export function uplinkReply(reply: HttpReply): UplinkResult {
  return 'error' in reply ? { ok: false, refused: false, message: reply.error } : uplinkResult(reply.status, reply.body);
}

/** A chunk of a firmware image as the hub answered it (POST /v1/firmware/chunk): its bytes, or why not. */
export type ChunkResult = { ok: true; bytes: Uint8Array } | { ok: false; refused: boolean; message: string };

/** An HTTP reply to a chunk request as a ChunkResult: 200 carries the bytes; a 4xx is a refusal (naming the hub's code), anything else retryable. */
export function chunkReply(reply: HttpReply): ChunkResult {
  if ('error' in reply) return { ok: false, refused: false, message: reply.error };
  if (reply.status === 200) return { ok: true, bytes: reply.body };
  const e = (replyObject(reply.body).error ?? {}) as { code?: unknown; message?: unknown };
  const said = typeof e.code === 'string' ? `${e.code}: ${typeof e.message === 'string' ? e.message : ''}` : `HTTP ${reply.status}`;
  return { ok: false, refused: reply.status >= 400 && reply.status < 500, message: `hub answered ${reply.status} (${said})` };
}
