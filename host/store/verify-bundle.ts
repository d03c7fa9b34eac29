import { batchSignedForm } from '../../firmware/batch/batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { type EventEntry, GENESIS_PREV, isEventClock, isIdOfHash } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { entryHashesFromBytes } from './entry-hashes-from-bytes.js';
import { type PrunedProof, prunedProofFault } from './bundle-pruned.js';
import { indexOfSeq } from './seq-index.js';
import { type Bundle, BundleError, type BundleFault, bundleFromValue, encodeBundle, unsignedRuns } from './bundle-format.js';

const SLASH = 0x2f;

export interface VerifiedBundle {
  node: string;
  first: number;
  last: number;
  entries: number;
  checkpoints: number;
  /** Ranges the node signed as dropped that fall inside the bundle's range. */
  gaps: { from: number; to: number }[];
  /** Ranges retention pruned, each vouched for by the summary its hub signed (only when the bundle carries any). */
  pruned?: { from: number; to: number; hub: string }[];
}

/**
 * Verifies a bundle offline (host/store/bundle-format.ts): canonical bytes;
 * the header's node derives from its key and its range is the entries';
 * each entry from that node, seqs ascending, hashing to its id and linking
 * to the entry before (seq 1 to the genesis value); each checkpoint's
 * signature over its range and head by that key, its range present whole and
 * its last entry hashing to its head; every jump in seq covered by a dropped
 * range a checkpoint signed; every entry inside some checkpoint's range.
 * Throws BundleError naming the header, checkpoint or entry seq at fault.
 */
export function verifyBundle(bytes: Uint8Array, crypto: CryptoProvider): VerifiedBundle {
  return checkBundle(bytes, crypto).verified;
}

export interface CheckBundleOptions {
  /** As decodeCbor's. */
  maxBytes?: number;
  /**
   * Skip re-encoding the decoded bundle to compare it with the bytes read
   * (default false). Only for a bundle whose bytes are not kept, only what was
   * decoded from them (a mesh page, host/mesh/page-in.ts): the strict decoder
   * already refuses every second encoding of a value (non-shortest, unsorted or
   * duplicate keys, indefinite lengths, trailing bytes), and every decoded part
   * is then checked here (each entry hashed to its id and linked, each
   * checkpoint's signature verified, the header derived from both), so no byte
   * that reaches the store goes unchecked. An exported bundle keeps the
   * comparison: its promise is that any byte changed fails, whatever decodes.
   */
  decodedOnly?: boolean;
  /** Called with each checkpoint's signed form once its signature verified (the Ingestor then need not verify it again). */
  onSignatureChecked?: (checkpoint: number, signedForm: Uint8Array) => void;
  /**
   * Leaves each checkpoint's signature unverified and hands it here with its
   * signed form instead, for a caller that verifies them elsewhere (a worker
   * thread: host/mesh/page-check-off-thread.ts) and uses nothing of the bundle
   * before they all did; the first that fails is refused as forgedSignature
   * says, as it would have been here.
   */
  deferSignatures?: (checkpoint: number, sig: Uint8Array, signedForm: Uint8Array) => void;
}

/** The refusal of checkpoint `c` of `node`'s bundle whose signature does not verify. */
export function forgedSignature(node: string, c: { first: number; last: number }): BundleError {
  return new BundleError('checkpoint', `checkpoint ${c.first}..${c.last}: signature by ${node} does not verify`, 'forged');
}

/** verifyBundle, also returning the bundle it read and its entries' hashes (a mesh page is stored from them: host/mesh/page-in.ts). */
export function checkBundle(
  bytes: Uint8Array,
  crypto: CryptoProvider,
  options: CheckBundleOptions = {},
): { verified: VerifiedBundle; bundle: Bundle; hashes: Uint8Array[] } {
  const { maxBytes } = options;
  let b: Bundle;
  try {
    b = bundleFromValue(decodeCbor(bytes, { maxBytes }));
  } catch (e) {
    if (e instanceof BundleError) throw e;
    throw new BundleError('malformed', `not a bundle in deterministic CBOR: ${(e as Error).message}`);
  }
  // Decoded parts re-encode to the very bytes read, so no byte sits outside what is checked below.
  if (!options.decodedOnly && !bytesEqual(encodeBundle(b), bytes)) throw new BundleError('malformed', 'the bundle is not in its canonical encoding');
  if (nodeIdFromPublicKey(b.key, crypto) !== b.node) throw new BundleError('header', `node id ${b.node} does not derive from the key in the header`);
  const es = b.entries;
  if (es.length === 0) throw new BundleError('malformed', 'the bundle holds no entries');
  if (b.first !== es[0].seq || b.last !== es[es.length - 1].seq)
    throw new BundleError('header', `header says seq ${b.first}..${b.last} but the entries are seq ${es[0].seq}..${es[es.length - 1].seq}`);

  // Hashed from the bytes as received (no entry re-encoded): equal to entryHash of each decoded entry, as the decoder is strict.
  const hashes = entryHashesFromBytes(bytes, es.length, crypto);
  if (!hashes) throw new BundleError('malformed', 'the entries are not laid out as a bundle holds them');
  const bad = (e: EventEntry, why: string, fault: BundleFault = 'altered') => new BundleError('entry', `entry seq ${e.seq}: ${why}`, fault);
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    // The node itself or one of its components (node/component), read without cutting the string: b.node has no '/'.
    if (e.source !== b.node && !(e.source.startsWith(b.node) && e.source.charCodeAt(b.node.length) === SLASH))
      throw bad(e, `comes from ${e.source}, not ${b.node}`);
    if (e.clock !== undefined && !isEventClock(e.clock)) throw bad(e, `clock '${String(e.clock)}' is not rtc, hub or unsynced`);
    if (i > 0 && e.seq <= es[i - 1].seq) throw bad(e, `follows seq ${es[i - 1].seq} (reordered or repeated)`, 'reordered');
    if (!isIdOfHash(e.id, hashes[i])) throw bad(e, `does not hash to its id ${e.id} (altered)`);
    if (e.seq === 1 && !bytesEqual(e.prev, GENESIS_PREV)) throw bad(e, 'does not start from the genesis value');
    if (i > 0 && e.seq === es[i - 1].seq + 1 && !bytesEqual(e.prev, hashes[i - 1])) throw bad(e, `does not link to seq ${es[i - 1].seq}`);
  }

  const pruned = prunedRanges(b, hashes, crypto);
  const signed = new Map<number, { from: number; to: number }>();
  b.checkpoints.forEach((c, i) => {
    const name = `checkpoint ${c.first}..${c.last}`;
    if (i > 0 && c.last <= b.checkpoints[i - 1].last)
      throw new BundleError('checkpoint', `${name} follows checkpoint ending at seq ${b.checkpoints[i - 1].last} (reordered)`, 'reordered');
    const form = batchSignedForm(b.node, c.first, c.last, c.head, c.dropped);
    if (options.deferSignatures) options.deferSignatures(i, c.sig, form);
    else if (!crypto.verify(c.sig, form, b.key)) throw forgedSignature(b.node, c);
    else options.onSignatureChecked?.(i, form);
    // Seqs ascend (checked above): a binary search finds the range's ends.
    const at = indexOfSeq(es, c.first);
    const end = indexOfSeq(es, c.last);
    const whole = at >= 0 && end >= 0 && end - at === c.last - c.first;
    if (!whole && !(pruned.length > 0 && prunedCover(c, es, pruned)))
      throw new BundleError('checkpoint', `${name}: the bundle lacks entries it signed (removed?)`, 'truncated');
    const under = end < 0 ? prunedAt(pruned, c.last) : undefined;
    const head = end < 0 ? (under?.last === c.last ? under.lastHash : undefined) : hashes[end];
    // A head inside a pruned range is covered by that range's hash, which its summary states.
    if (head ? !bytesEqual(head, c.head) : !under)
      throw new BundleError('checkpoint', `${name}: entry seq ${c.last} does not hash to the signed head`, 'altered');
    if (c.dropped) signed.set(c.first, c.dropped);
  });

  const gaps: { from: number; to: number }[] = [];
  for (let i = 1; i < es.length; i++) {
    const from = es[i - 1].seq + 1;
    const to = es[i].seq - 1;
    if (to < from) continue;
    if (prunedAcross(pruned, from, to)) continue;
    const d = signed.get(es[i].seq);
    if (!d || d.from > from || d.to !== to)
      throw new BundleError('gap', `seq ${from}..${to} missing and no checkpoint signed them as dropped (entries removed?)`, 'truncated');
    gaps.push({ from, to });
  }

  const unsigned = unsignedRuns(
    es.map((e) => e.seq),
    b.checkpoints,
  );
  if (unsigned.length > 0)
    throw new BundleError(
      'unverifiable',
      `no checkpoint signs seq ${unsigned.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}..${r.to}`)).join(', ')} (stored before checkpoints existed, or a checkpoint was removed): unverifiable`,
    );
  const verified: VerifiedBundle = { node: b.node, first: b.first, last: b.last, entries: es.length, checkpoints: b.checkpoints.length, gaps };
  if (pruned.length > 0) verified.pruned = pruned.map((p) => ({ from: p.first, to: p.last, hub: nodeIdFromPublicKey(p.hubKey, crypto) }));
  return { verified, bundle: b, hashes };
}

/**
 * The bundle's pruned ranges by last seq, each checked: vouched for by its
 * hub's signed summary (bundle-pruned.ts), in order and apart, and linked:
 * its prev is the hash of the entry (or range) before it when that is in the
 * bundle (the genesis value at seq 1), and the entry after it links to its
 * last hash.
 */
function prunedRanges(b: Bundle, hashes: Uint8Array[], crypto: CryptoProvider): PrunedProof[] {
  const out: PrunedProof[] = [];
  let before: PrunedProof | undefined;
  for (const p of b.pruned ?? []) {
    const name = `pruned range ${p.first}..${p.last}`;
    if (before && p.first <= before.last)
      throw new BundleError('gap', `${name} follows one ending at seq ${before.last} (reordered or overlapping)`, 'reordered');
    const fault = prunedProofFault(b.node, p, crypto);
    if (fault) throw new BundleError('gap', `${name}: ${fault}`, 'forged');
    const prevAt = indexOfSeq(b.entries, p.first - 1);
    const link = p.first === 1 ? GENESIS_PREV : prevAt >= 0 ? hashes[prevAt] : before?.last === p.first - 1 ? before.lastHash : undefined;
    if (link && !bytesEqual(link, p.prev)) throw new BundleError('gap', `${name} does not link to seq ${p.first - 1}`, 'altered');
    const nextAt = indexOfSeq(b.entries, p.last + 1);
    if (nextAt >= 0 && !bytesEqual(b.entries[nextAt].prev, p.lastHash))
      throw new BundleError('entry', `entry seq ${p.last + 1}: does not link to the pruned range before it`, 'altered');
    out.push(p);
    before = p;
  }
  return out;
}

/** The range holding seq (ranges in seq order, apart: a binary search). */
function prunedAt(pruned: readonly PrunedProof[], seq: number): PrunedProof | undefined {
  let lo = 0;
  let hi = pruned.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = pruned[mid];
    if (seq < p.first) hi = mid - 1;
    else if (seq > p.last) lo = mid + 1;
    else return p;
  }
  return undefined;
}

/** Every seq of the checkpoint is an entry of the bundle or in a pruned range. */
function prunedCover(c: { first: number; last: number }, es: readonly EventEntry[], pruned: readonly PrunedProof[]): boolean {
  for (let s = c.first; s <= c.last; ) {
    if (indexOfSeq(es, s) >= 0) s++;
    else {
      const p = prunedAt(pruned, s);
      if (!p) return false;
      s = p.last + 1;
    }
  }
  return true;
}

/** from..to is exactly a run of pruned ranges. */
function prunedAcross(pruned: readonly PrunedProof[], from: number, to: number): boolean {
  for (let s = from; s <= to; ) {
    const p = prunedAt(pruned, s);
    if (!p || p.first !== s || p.last > to) return false;
    s = p.last + 1;
  }
  return true;
}
