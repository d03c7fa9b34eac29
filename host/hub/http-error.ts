import { toHex } from '../../firmware/codec/text-encodings.js';
import { CodecError, GapError, SchemaError, VerifyError } from '../../firmware/errors.js';
import { RuleError } from '../rules/index.js';
import { StoreError } from '../store/store-error.js';

/**
 * A refusal the API answers with: a status and the one-line JSON body
 * {"error": {"code", "message", "path"?, "rule"?, "head"?}}; `head` is the
 * node's chain head the hub holds ({seq, hash?}, hash in hex), on a 409 `gap`, and signed
 * ({seq, hash, sig}) on a 409 `chain-broken` (host/hub/uplink-api.ts).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { path?: string; rule?: string; head?: { seq: number; hash?: string; sig?: string } } = {},
    /** Response headers the refusal needs (Allow for a 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): string {
    return JSON.stringify({ error: { code: this.code, message: this.message, ...this.extra } });
  }
}

const VERIFY_STATUS: Record<string, number> = { 'bad-signature': 401, 'key-mismatch': 401, malformed: 400 };
const STORE_STATUS: Record<string, number> = {
  'unknown-node': 403,
  'node-revoked': 403,
  'invite-unknown': 403,
  'invite-expired': 403,
  'invite-used': 403,
  'bad-query': 400,
  'not-offered': 403,
  'unknown-image': 404,
  'version-exists': 409,
  // The disk failed a sync: the node keeps the batch and retries; nothing is acknowledged until the hub restarts.
  'sync-failed': 503,
};

const RULE_STATUS: Record<string, number> = { schema: 422, 'unknown-rule': 404 };

/**
 * Every error a request can raise, as the refusal the client sees. Bytes that
 * do not decode → 400 with the codec's code; a schema violation → 422 with
 * path and rule; an unknown node or an unusable invite → 403; a signature or
 * key that does not match → 401; a chain that does not continue → 409 with
 * the VerifyError code (a gap with the head the hub holds); a full disk → 507 'store-full'; a refused rule → 400 (422 for its schema, 404 for
 * an unknown id) with the path into the document. Anything else is a 500 ('internal') and is logged.
 */
export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof CodecError) return new HttpError(400, e.code, e.message);
  if (e instanceof SchemaError) return new HttpError(422, e.code, e.message, { path: e.path, rule: e.rule });
  // The head the hub holds goes with a gap, so a node whose chain moved on past it can sign for what it no longer holds.
  if (e instanceof GapError)
    return new HttpError(409, e.code, e.message, { head: e.stored.hash ? { seq: e.stored.seq, hash: toHex(e.stored.hash) } : { seq: e.stored.seq } });
  if (e instanceof VerifyError) return new HttpError(VERIFY_STATUS[e.code] ?? 409, e.code, e.message);
  if (e instanceof RuleError) return new HttpError(RULE_STATUS[e.code] ?? 400, e.code, e.message, { path: e.path });
  if (e instanceof StoreError && STORE_STATUS[e.code]) return new HttpError(STORE_STATUS[e.code], e.code, e.message);
  // The disk (or the cartridge's size limit) is full: nothing of the batch was stored; the node keeps it and retries.
  if (e instanceof Error && (e as { code?: unknown }).code === 'SQLITE_FULL')
    return new HttpError(
      507,
      'store-full',
      "the hub's storage is full: nothing of this request was stored. Free disk space on the hub; it stores again by itself, and a node's retries deliver what it kept",
    );
  return new HttpError(500, 'internal', 'the hub failed to handle the request');
}
