/**
 * What the hub's HTTP server allows one client (README "Limits against slow
 * and abusive clients"). Every figure has a default; tests shrink them.
 */
export interface HubLimits {
  /** The request line and headers must arrive within this (slowloris; default 10 s): else 408 and the connection closes. */
  headersTimeoutMs?: number;
  /** The whole request, body included, must arrive within this (a trickling body; default 30 s): else 408 and the connection closes. */
  requestTimeoutMs?: number;
  /** Open connections per remote address, each 127.x.y.z its own (default 64); one more is answered 503 and closed unread. */
  connectionsPerAddress?: number;
  /** Failed token, sign-in and enrolment attempts per address in `failureWindowMs` before 429 (default 10). */
  failures?: number;
  /** The sliding window failed attempts are counted in (default 60 s). */
  failureWindowMs?: number;
  /** An event stream client this many bytes behind is dropped (default 1 MiB). */
  streamBufferBytes?: number;
  /** An event stream client whose socket stays unwritable this long is dropped (default 30 s). */
  streamStallMs?: number;
  /** Each kind of refusal is logged once per address per period, with the count it stood for (default 60 s). */
  refusalLogMs?: number;
  /** A monotonic clock in ms for the failure windows and log periods (default performance.now; tests step it). */
  now?: () => number;
}

export type ResolvedHubLimits = Required<HubLimits>;

export const DEFAULT_LIMITS: Readonly<Omit<ResolvedHubLimits, 'now'>> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionsPerAddress: 64,
  failures: 10,
  failureWindowMs: 60_000,
  streamBufferBytes: 1024 * 1024,
  streamStallMs: 30_000,
  refusalLogMs: 60_000,
};

/** The limits with their defaults; a figure that is not a positive whole number is a RangeError naming it. */
export function resolveHubLimits(limits: HubLimits = {}): ResolvedHubLimits {
  const out = { ...DEFAULT_LIMITS, now: limits.now ?? (() => performance.now()) };
  for (const k of Object.keys(DEFAULT_LIMITS) as (keyof typeof DEFAULT_LIMITS)[]) {
    const v = limits[k];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`limits.${k} must be a whole number of at least 1, got ${v}`);
    out[k] = v;
  }
  if (out.headersTimeoutMs > out.requestTimeoutMs)
    throw new RangeError(`limits.headersTimeoutMs (${out.headersTimeoutMs}) must not exceed limits.requestTimeoutMs (${out.requestTimeoutMs})`);
  return out;
}
