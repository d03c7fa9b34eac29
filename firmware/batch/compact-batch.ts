import type { Value, ValueMap } from '../codec/value.js';
import { isValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { COMPONENT_PATTERN, entryHash, EVENT_TYPE_PATTERN, idFromHash, type EventClock, type EventEntry } from '../event/envelope.js';
import { VerifyError } from '../errors.js';
import { nodeIdFromPublicKey } from '../identity/node-id.js';
import type { Batch } from './batch.js';
import {
  type CompactDictionary,
  DICTIONARY_HASH_BYTES,
  dictionaryOf,
  type DictionaryItem,
  isReadingShaped,
  itemKey,
  itemOf,
  MAX_DICTIONARY_ITEMS,
  QUALITIES,
} from './compact-dictionary.js';

/**
 * The compact form of a batch (README "Formats": byte by byte): the same
 * signed batch carrying only what the receiver cannot derive. A CBOR array
 * (the full form is a map), deterministic like every CBOR we write:
 *
 *   [2, key, first, prev, head, sig, dict, clock, entries, dropped?]
 *
 * dict is the dictionary's 8-byte hash when the receiver holds it, or the
 * dictionary itself; clock is the first entry's (0 none, 1 rtc, 2 hub,
 * 3 unsynced). An entry is [index, dt, value, quality?, extras?] against a
 * reading item, [index, dt, data, extras?] against any other; dt is the time
 * since the previous entry (the first's since the epoch), quality 1 or 2
 * (good is left out), extras a map with only what differs: "c" the clock when
 * it changes, "f" the flags, "t" the reading's time less the entry's.
 * Seq, id, node and every prev but the first are implied; the receiver
 * rebuilds each entry exactly and verifies the batch as any other.
 */
const COMPACT_FORM = 2;
const CLOCKS: (EventClock | undefined)[] = [undefined, 'rtc', 'hub', 'unsynced'];

function clockCode(c: EventClock | undefined): number {
  return CLOCKS.indexOf(c);
}

/** The compact value of a batch against a dictionary holding an item for every entry; `inline` sends the dictionary itself. */
export function compactBatchToValue(b: Batch, dictionary: CompactDictionary, inline: boolean): Value {
  const index = new Map<string, number>();
  dictionary.items.forEach((item, i) => index.set(itemKey(item), i));
  let time = 0;
  let clock = b.entries[0].clock;
  const entries = b.entries.map((e): Value => {
    const item = itemOf(e);
    const i = index.get(itemKey(item));
    if (i === undefined) throw new RangeError(`the dictionary has no item ${itemKey(item)}`);
    const out: Value[] = [i, e.time - time];
    time = e.time;
    const extras: ValueMap = {};
    if (e.clock !== clock) extras.c = clockCode(e.clock);
    clock = e.clock;
    if (item.length === 2) {
      out.push(e.data);
      if (extras.c !== undefined) out.push(extras);
      return out;
    }
    const r = e.data as ValueMap;
    if (r.flags !== undefined) extras.f = r.flags;
    if (r.time !== e.time) extras.t = (r.time as number) - e.time;
    const q = QUALITIES.indexOf(r.quality as (typeof QUALITIES)[number]);
    out.push(r.value);
    const more = Object.keys(extras).length > 0;
    if (q > 0 || more) out.push(q);
    if (more) out.push(extras);
    return out;
  });
  const v: Value[] = [
    COMPACT_FORM,
    b.key,
    b.first,
    b.entries[0].prev,
    b.head,
    b.sig,
    inline ? dictionary.items : dictionary.hash,
    clockCode(b.entries[0].clock),
    entries,
  ];
  if (b.dropped) v.push([b.dropped.from, b.dropped.to]);
  return v;
}

/** Whether a decoded uplink body is the compact form (the full form is a map). */
export function isCompactBatch(v: Value): v is Value[] {
  return Array.isArray(v);
}

/**
 * The hashes computed while rebuilding a batch, so verifying it does not hash
 * every entry a second time. Keyed by the batch object and its entries array:
 * a copy of the batch, or other entries, are hashed afresh by verifyBatch.
 */
const rebuilt = new WeakMap<Batch, { entries: EventEntry[]; hashes: Uint8Array[] }>();

/**
 * Marks a batch whose entries were already hashed and checked to link (a
 * verified bundle's checkpoint range, host/mesh/page-in.ts), so verifyBatch
 * does not hash them again; returns the batch.
 */
export function withLinkedHashes(b: Batch, hashes: Uint8Array[]): Batch {
  if (hashes.length !== b.entries.length) throw new RangeError(`hashes must be one per entry (${b.entries.length}), got ${hashes.length}`);
  rebuilt.set(b, { entries: b.entries, hashes });
  return b;
}

/** The hashes of a batch's entries when this module rebuilt them (each links the next by construction), else undefined. */
export function rebuiltHashes(b: Batch): Uint8Array[] | undefined {
  const r = rebuilt.get(b);
  return r && r.entries === b.entries ? r.hashes : undefined;
}

export interface DecodedCompact {
  batch: Batch;
  /** The dictionary the batch carried whole; the receiver keeps it once the batch is accepted. */
  carried?: CompactDictionary;
}

function malformed(what: string): never {
  throw new VerifyError('malformed', `compact batch: ${what}`);
}

function bytesOf(v: Value, length: number, what: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== length) malformed(`${what} must be ${length} bytes`);
  return v;
}

function intOf(v: Value, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) malformed(`${what} must be a whole number from ${min} to ${max}`);
  return v as number;
}

function itemsOf(v: Value[]): DictionaryItem[] {
  if (v.length === 0 || v.length > MAX_DICTIONARY_ITEMS) malformed(`the dictionary must hold 1 to ${MAX_DICTIONARY_ITEMS} items`);
  return v.map((item, i) => {
    const ok =
      Array.isArray(item) &&
      item.length >= 2 &&
      item.length <= 4 &&
      item.every((s) => typeof s === 'string') &&
      EVENT_TYPE_PATTERN.test(item[0] as string) &&
      COMPONENT_PATTERN.test(item[1] as string);
    if (!ok) malformed(`dictionary item ${i} is not [type, component, name?, unit?]`);
    return item as DictionaryItem;
  });
}

/**
 * The batch a compact value stands for, each entry rebuilt with its seq,
 * prev, hash and id. `lookup` finds a dictionary the receiver holds for the
 * node; one it does not hold is refused as 'unknown-dictionary' (the node
 * then sends it whole). Shape errors are 'malformed', naming the field; the
 * rebuilt batch is then validated and verified like a full one.
 */
export function compactBatchFromValue(
  v: Value,
  crypto: CryptoProvider,
  lookup: (node: string, hash: Uint8Array) => CompactDictionary | undefined,
): DecodedCompact {
  if (!Array.isArray(v) || (v.length !== 9 && v.length !== 10)) malformed('must be an array of 9 or 10 items');
  if (v[0] !== COMPACT_FORM) malformed(`form must be ${COMPACT_FORM}`);
  const key = bytesOf(v[1], 32, 'key');
  const first = intOf(v[2], 1, Number.MAX_SAFE_INTEGER, 'first');
  const prev0 = bytesOf(v[3], 32, 'prev');
  const head = bytesOf(v[4], 32, 'head');
  const sig = bytesOf(v[5], 64, 'sig');
  const node = nodeIdFromPublicKey(key, crypto);
  let dictionary: CompactDictionary | undefined;
  let carried: CompactDictionary | undefined;
  const d = v[6];
  if (Array.isArray(d)) {
    carried = dictionaryOf(itemsOf(d), crypto);
    dictionary = carried;
  } else {
    const hash = bytesOf(d, DICTIONARY_HASH_BYTES, 'dictionary hash');
    dictionary = lookup(node, hash);
    if (!dictionary) throw new VerifyError('unknown-dictionary', `compact batch from ${node} names a dictionary this hub does not hold; send it whole`);
  }
  let clock = CLOCKS[intOf(v[7], 0, 3, 'clock')];
  const es = v[8];
  if (!Array.isArray(es) || es.length === 0 || es.length > 512) malformed('entries must be an array of 1 to 512 entries');
  let time = 0;
  let prev = prev0;
  const hashes: Uint8Array[] = [];
  const entries = es.map((x, i): EventEntry => {
    const at = `entry ${i}`;
    if (!Array.isArray(x) || x.length < 3) malformed(`${at} must be an array [index, dt, value or data, …]`);
    const item = (dictionary as CompactDictionary).items[intOf(x[0], 0, (dictionary as CompactDictionary).items.length - 1, `${at} index`)];
    time = intOf(time + intOf(x[1], -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, `${at} dt`), 0, Number.MAX_SAFE_INTEGER, `${at} time`);
    const reading = item.length > 2;
    const extras = x[reading ? 4 : 3];
    if (x.length > (reading ? 5 : 4)) malformed(`${at} has too many items`);
    if (extras !== undefined && !(isValueMap(extras) && Object.keys(extras).length > 0)) malformed(`${at} extras must be a non-empty map`);
    const ex = (extras ?? {}) as ValueMap;
    for (const k of Object.keys(ex)) if (k !== 'c' && (!reading || (k !== 'f' && k !== 't'))) malformed(`${at} extras has unknown key '${k}'`);
    if (ex.c !== undefined) {
      const c = CLOCKS[intOf(ex.c, 0, 3, `${at} clock`)];
      if (c === clock) malformed(`${at} repeats the clock it inherits`);
      clock = c;
    }
    let data: Value;
    if (reading) {
      const q = x.length > 3 ? intOf(x[3], 0, 2, `${at} quality`) : 0;
      if (x.length === 4 && q === 0) malformed(`${at} states the default quality`);
      if (ex.t === 0) malformed(`${at} states a reading time equal to the entry's`);
      // Keys in deterministic CBOR's order, so the rebuilt data reads as the full form's decoded one does.
      const r: ValueMap = { name: item[2] as string };
      r.time = ex.t === undefined ? time : time + intOf(ex.t, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, `${at} reading time`);
      if (item.length === 4) r.unit = item[3];
      if (ex.f !== undefined) r.flags = ex.f;
      r.value = x[2];
      r.quality = QUALITIES[q];
      if (!isReadingShaped(r)) malformed(`${at} is not a reading`);
      data = r;
    } else {
      data = x[2];
      // An entry the writer would have sent against a reading item: two encodings of one entry are refused.
      if (isReadingShaped(data)) malformed(`${at} carries reading data whole`);
    }
    const body: Omit<EventEntry, 'id'> = { type: item[0], source: `${node}/${item[1]}`, time, seq: first + i, prev, data };
    if (clock !== undefined) body.clock = clock;
    const hash = entryHash(body, crypto);
    hashes.push(hash);
    prev = hash;
    return { id: idFromHash(hash), ...body };
  });
  const batch: Batch = { v: 1, node, key, first, last: first + entries.length - 1, head, entries, sig };
  if (v.length === 10) {
    const r = v[9];
    if (!Array.isArray(r) || r.length !== 2) malformed('dropped must be [from, to]');
    batch.dropped = { from: intOf(r[0], 1, Number.MAX_SAFE_INTEGER, 'dropped from'), to: intOf(r[1], 1, Number.MAX_SAFE_INTEGER, 'dropped to') };
  }
  rebuilt.set(batch, { entries, hashes });
  return carried ? { batch, carried } : { batch };
}
