import { encodeCbor } from '../codec/cbor-encode.js';
import { isValueMap, type Value, type ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { entryHash, entryToValue, type EventClock, type EventEntry } from '../event/envelope.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { VerifyError } from '../errors.js';

/**
 * An uplink batch: consecutive entries of one node and one Ed25519 signature
 * over the batch header, which names the seq range and the hash of its last
 * entry (the chain head). The chain links every entry to that head, so one
 * signature covers them all.
 */
export interface Batch {
  v: 1;
  node: string;
  key: Uint8Array;
  first: number;
  last: number;
  head: Uint8Array;
  entries: EventEntry[];
  sig: Uint8Array;
  /**
   * Seqs the node dropped before they were sent (its offline buffer
   * overflowed): the hub may accept the chain from `first` without them.
   * Signed with the header; a system.buffer.overflow event in the chain says
   * the same. Absent in the usual case.
   */
  dropped?: { from: number; to: number };
}

const BATCH_DOMAIN = 'fazt/batch/v1';

/** What the signature is over: domain-separated, deterministic CBOR (a dropped range, when there is one, as a sixth element). */
export function batchSignedForm(node: string, first: number, last: number, head: Uint8Array, dropped?: { from: number; to: number }): Uint8Array {
  return encodeCbor(dropped ? [BATCH_DOMAIN, node, first, last, head, [dropped.from, dropped.to]] : [BATCH_DOMAIN, node, first, last, head]);
}

export function createBatch(entries: EventEntry[], identity: NodeIdentity, crypto: CryptoProvider, dropped?: { from: number; to: number }): Batch {
  if (!Array.isArray(entries) || entries.length === 0) throw new RangeError('entries must be a non-empty array');
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].seq !== entries[i - 1].seq + 1) throw new RangeError(`entries must be consecutive: seq ${entries[i - 1].seq} then ${entries[i].seq}`);
  }
  const first = entries[0].seq;
  const last = entries[entries.length - 1].seq;
  const head = entryHash(entries[entries.length - 1], crypto);
  if (dropped && !(Number.isSafeInteger(dropped.from) && dropped.from >= 1 && dropped.to === first - 1 && dropped.from <= dropped.to)) {
    throw new RangeError(`dropped must be a seq range ending just before seq ${first}, got ${dropped.from}..${dropped.to}`);
  }
  const sig = crypto.sign(batchSignedForm(identity.id, first, last, head, dropped), identity.secretKey);
  const b: Batch = { v: 1, node: identity.id, key: identity.publicKey, first, last, head, entries, sig };
  if (dropped) b.dropped = { from: dropped.from, to: dropped.to };
  return b;
}

export function batchToValue(b: Batch): Value {
  const v: ValueMap = { v: b.v, node: b.node, key: b.key, first: b.first, last: b.last, head: b.head, entries: b.entries.map(entryToValue), sig: b.sig };
  if (b.dropped) v.dropped = { from: b.dropped.from, to: b.dropped.to };
  return v;
}

function malformed(message: string): never {
  throw new VerifyError('malformed', message);
}

/**
 * One entry of a decoded batch; `clock` only when the entry has one (verifyChain checks its value).
 * Its fields' types are checked (VerifyError 'malformed'), so a value no schema has seen (a capture
 * read by BatchReader, a node's own stored buffer) cannot reach the chain checks as something else.
 */
/** An entry as a refusal names it: built only when refused, so a page of thousands of entries builds no message for each. */
const entryAt = (e: ValueMap) => (typeof e.seq === 'number' ? `entry seq ${e.seq}` : 'an entry');

export function entryFromValue(e: ValueMap): EventEntry {
  if (!isValueMap(e)) malformed('a batch entry is not a map');
  if (typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.source !== 'string') malformed(`${entryAt(e)}: id, type and source must be text`);
  if (typeof e.time !== 'number' || typeof e.seq !== 'number') malformed(`${entryAt(e)}: time and seq must be numbers`);
  if (!(e.prev instanceof Uint8Array)) malformed(`${entryAt(e)}: prev must be a byte string`);
  const entry: EventEntry = { id: e.id, type: e.type, source: e.source, time: e.time, seq: e.seq, prev: e.prev, data: e.data };
  if (e.clock !== undefined) entry.clock = e.clock as EventClock;
  return entry;
}

/**
 * A decoded (and, on the hub, schema-validated) value back into a Batch.
 * Shape checks only, each a VerifyError 'malformed' naming the field (the
 * schema validator gives the precise path on the hub; verifyBatch checks
 * what the fields prove).
 */
export function batchFromValue(v: Value): Batch {
  if (!isValueMap(v)) malformed('a batch must be a map (or, compact, an array)');
  const m = v;
  for (const k of ['key', 'head', 'sig'] as const) if (!(m[k] instanceof Uint8Array)) malformed(`batch ${k} must be a byte string`);
  if (typeof m.node !== 'string') malformed('batch node must be text');
  if (typeof m.first !== 'number' || typeof m.last !== 'number') malformed('batch first and last must be numbers');
  if (!Array.isArray(m.entries)) malformed('batch entries must be an array');
  const dropped = m.dropped;
  if (dropped !== undefined && dropped !== null && (!isValueMap(dropped) || typeof dropped.from !== 'number' || typeof dropped.to !== 'number'))
    malformed('batch dropped must be a map of two numbers, from and to');
  const b: Batch = {
    v: 1,
    node: m.node,
    key: m.key as Uint8Array,
    first: m.first,
    last: m.last,
    head: m.head as Uint8Array,
    entries: m.entries.map((e) => entryFromValue(e as ValueMap)),
    sig: m.sig as Uint8Array,
  };
  if (isValueMap(dropped)) b.dropped = { from: dropped.from as number, to: dropped.to as number };
  return b;
}
