import { entryFromValue } from '../../firmware/batch/batch.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { isValueMap, type Value, type ValueMap } from '../../firmware/codec/value.js';
import { entryToValue, type EventEntry } from '../../firmware/event/envelope.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { type PrunedProof, prunedFromValue, prunedToValue } from './bundle-pruned.js';
import type { Checkpoint } from './checkpoints.js';

/**
 * A bundle (`fazt export`): one chain's stored entries and the checkpoints
 * that signed them, as one deterministic CBOR array (RFC 8949 §4.2):
 *
 *   ["fazt/bundle/v1", {node, key, first, last}, [checkpoint...], [entry...]]
 *   ["fazt/bundle/v1", {node, key, first, last}, [checkpoint...], [entry...], [pruned...]]  (a range retention pruned: host/store/bundle-pruned.ts)
 *   checkpoint = [first, last, head, sig] or [first, last, head, sig, [from, to]] (a signed dropped range)
 *   entry      = the envelope map of the wire forms (firmware/event/envelope.ts entryToValue)
 *
 * Nothing in it is unsigned: each signature covers its checkpoint's range and
 * head (firmware/batch/batch.ts batchSignedForm), the hash chain ties every
 * entry to a signed head, and the header is checked against that content
 * (node id from the key, range from the entries). A bundle that is not in
 * the canonical encoding is refused, so no byte can change unnoticed.
 */
const BUNDLE_MAGIC = 'fazt/bundle/v1';

export interface Bundle {
  node: string;
  key: Uint8Array;
  first: number;
  last: number;
  checkpoints: Checkpoint[];
  entries: EventEntry[];
  /** Ranges retention pruned within the bundle's, each with its hub's signed summary (none: the bundle has 4 items, as before). */
  pruned?: PrunedProof[];
}

/** What a bundle fails on, the part named in the code: the whole (malformed), its header, a checkpoint, an entry, a gap, or entries no signature covers. */
export class BundleError extends FaztError {
  constructor(
    code: 'malformed' | 'header' | 'checkpoint' | 'entry' | 'gap' | 'unverifiable',
    message: string,
    /** What was done to it, when the check can tell (the mesh refuses each with its own code). */
    readonly fault?: BundleFault,
  ) {
    super(`bundle-${code}`, message);
    this.name = 'BundleError';
  }
}

export type BundleFault = 'altered' | 'reordered' | 'truncated' | 'forged';

function checkpointToValue(c: Checkpoint): Value {
  const v: Value[] = [c.first, c.last, c.head, c.sig];
  if (c.dropped) v.push([c.dropped.from, c.dropped.to]);
  return v;
}

export function encodeBundle(b: Bundle): Uint8Array {
  const header: ValueMap = { node: b.node, key: b.key, first: b.first, last: b.last };
  const items: Value[] = [BUNDLE_MAGIC, header, b.checkpoints.map(checkpointToValue), b.entries.map(entryToValue)];
  if (b.pruned?.length) items.push(b.pruned.map(prunedToValue));
  return encodeCbor(items);
}

const isSeq = (v: Value): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const isBytes = (v: Value, n: number): v is Uint8Array => v instanceof Uint8Array && v.length === n;

function checkpointFromValue(v: Value, i: number): Checkpoint {
  const bad = (why: string) => new BundleError('malformed', `checkpoint ${i + 1}: ${why}`);
  if (!Array.isArray(v) || (v.length !== 4 && v.length !== 5)) throw bad('not an array of 4 or 5 items');
  const [first, last, head, sig, dropped] = v;
  if (!isSeq(first) || !isSeq(last) || last < first) throw bad('first and last are not a seq range');
  if (!isBytes(head, 32)) throw bad('head is not 32 bytes');
  if (!isBytes(sig, 64)) throw bad('sig is not 64 bytes');
  const c: Checkpoint = { first, last, head, sig };
  if (v.length === 5) {
    if (!Array.isArray(dropped) || dropped.length !== 2 || !isSeq(dropped[0]) || !isSeq(dropped[1])) throw bad('dropped is not a seq range');
    c.dropped = { from: dropped[0], to: dropped[1] };
  }
  return c;
}

const ENTRY_FIELDS: ReadonlySet<string> = new Set(['id', 'type', 'source', 'time', 'clock', 'seq', 'prev', 'data']);

const badEntry = (i: number, why: string) => new BundleError('malformed', `entry ${i + 1}: ${why}`);

function entryOf(v: Value, i: number): EventEntry {
  if (!isValueMap(v)) throw badEntry(i, 'not a map');
  if (typeof v.id !== 'string' || typeof v.type !== 'string' || typeof v.source !== 'string' || typeof v.time !== 'number')
    throw badEntry(i, 'id, type, source or time missing');
  if (!isSeq(v.seq as Value) || !isBytes(v.prev as Value, 32) || v.data === undefined) throw badEntry(i, 'seq, prev or data missing');
  for (const k in v) if (!ENTRY_FIELDS.has(k)) throw badEntry(i, `unknown field '${k}'`);
  return entryFromValue(v);
}

/** The decoded value of a bundle back into its parts; shape only (verifyBundle checks what it proves). */
export function bundleFromValue(v: Value): Bundle {
  if (!Array.isArray(v) || (v.length !== 4 && v.length !== 5))
    throw new BundleError('malformed', 'a bundle is an array of 4 items (magic, header, checkpoints, entries) and the pruned ranges, if any');
  const [magic, header, checkpoints, entries, pruned] = v;
  if (magic !== BUNDLE_MAGIC) throw new BundleError('header', `not a ${BUNDLE_MAGIC} bundle (it opens with ${JSON.stringify(magic)})`);
  if (!isValueMap(header) || Object.keys(header).length !== 4) throw new BundleError('header', 'header is not a map of node, key, first, last');
  const { node, key, first, last } = header;
  if (typeof node !== 'string' || !isBytes(key as Value, 32) || !isSeq(first as Value) || !isSeq(last as Value))
    throw new BundleError('header', 'header node, key (32 bytes), first or last is missing or malformed');
  if (!Array.isArray(checkpoints) || !Array.isArray(entries)) throw new BundleError('malformed', 'checkpoints and entries must be arrays');
  const b: Bundle = {
    node,
    key: key as Uint8Array,
    first: first as number,
    last: last as number,
    checkpoints: checkpoints.map(checkpointFromValue),
    entries: entries.map(entryOf),
  };
  if (v.length === 5) {
    if (!Array.isArray(pruned) || pruned.length === 0) throw new BundleError('malformed', 'pruned must be a non-empty array');
    b.pruned = pruned.map((p, i) => {
      const got = prunedFromValue(p);
      if (typeof got === 'string') throw new BundleError('malformed', `pruned range ${i + 1}: ${got}`);
      return got;
    });
  }
  return b;
}

/** The runs of `seqs` (ascending) outside every checkpoint's range: one sweep over the checkpoints sorted by start. */
export function unsignedRuns(seqs: readonly number[], checkpoints: readonly Checkpoint[]): { from: number; to: number }[] {
  const rs = [...checkpoints].sort((a, b) => a.first - b.first);
  const out: { from: number; to: number }[] = [];
  let j = 0;
  let reach = 0;
  for (const s of seqs) {
    while (j < rs.length && rs[j].first <= s) reach = Math.max(reach, rs[j++].last);
    if (s <= reach) continue;
    const run = out[out.length - 1];
    if (run && run.to === s - 1) run.to = s;
    else out.push({ from: s, to: s });
  }
  return out;
}
