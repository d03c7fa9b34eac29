/**
 * How a node's uplink reaches its hub: one signed batch out, the hub's answer
 * back. Implementations: fetch when the firmware runs on Node
 * (host/node/fetch-transport.ts), Moddable's ECMA-419 HTTP client on a device
 * (moddable-http-transport.ts), and a bridge to the simulator when it runs
 * inside XS (sim/xs/). The batch is deterministic CBOR (application/cbor).
 */
export interface UplinkAck {
  /** The highest contiguous seq the hub has stored for this node. */
  ack: number;
  /** Entries stored by this request (0 for a replay). */
  stored: number;
}

export type UplinkResult =
  | { ok: true; ack: UplinkAck }
  /** The hub refused the batch: resending the same bytes will not help (4xx). */
  | { ok: false; refused: true; status: number; code: string; message: string }
  /** The hub could not be reached or failed (network error, timeout, 5xx): retry later. */
  | { ok: false; refused: false; message: string };

export interface Transport {
  send(batch: Uint8Array, done: (result: UplinkResult) => void): void;
}

/** Turns an HTTP status and body text into an UplinkResult (shared by the HTTP transports). */
export function uplinkResult(status: number, body: string): UplinkResult {
  let parsed: { ack?: unknown; stored?: unknown; error?: { code?: unknown; message?: unknown } } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // a proxy's HTML error page, for instance: judged by status alone
  }
  if (status === 200 && typeof parsed.ack === 'number') return { ok: true, ack: { ack: parsed.ack, stored: typeof parsed.stored === 'number' ? parsed.stored : 0 } };
  if (status >= 400 && status < 500) {
    const e = parsed.error ?? {};
    return { ok: false, refused: true, status, code: typeof e.code === 'string' ? e.code : `http-${status}`, message: typeof e.message === 'string' ? e.message : `HTTP ${status}` };
  }
  return { ok: false, refused: false, message: `hub answered HTTP ${status}` };
}
