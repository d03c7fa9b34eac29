import { encodeCbor } from '../codec/cbor-encode.js';
import type { Value, ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { entryHash, entryToValue, type EventClock, type EventEntry } from '../event/envelope.js';
import type { NodeIdentity } from '../identity/node-id.js';

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

/** One entry of a decoded batch; `clock` only when the entry has one (verifyChain checks its value). */
export function entryFromValue(e: ValueMap): EventEntry {
  const entry: EventEntry = {
    id: e.id as string,
    type: e.type as string,
    source: e.source as string,
    time: e.time as number,
    seq: e.seq as number,
    prev: e.prev as Uint8Array,
    data: e.data,
  };
  if (e.clock !== undefined) entry.clock = e.clock as EventClock;
  return entry;
}

/**
 * A decoded (and schema-validated) value back into a Batch. Light shape
 * checks only: the schema validator gives the precise path on the hub.
 */
export function batchFromValue(v: Value): Batch {
  const m = v as ValueMap;
  const b: Batch = {
    v: 1,
    node: m.node as string,
    key: m.key as Uint8Array,
    first: m.first as number,
    last: m.last as number,
    head: m.head as Uint8Array,
    entries: (m.entries as ValueMap[]).map(entryFromValue),
    sig: m.sig as Uint8Array,
  };
  if (m.dropped) b.dropped = { from: (m.dropped as ValueMap).from as number, to: (m.dropped as ValueMap).to as number };
  return b;
}
