import { batchSignedForm, entryFromValue } from '../../firmware/batch/batch.js';
import { isValueMap, type Value } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { entryHash, entryToValue, type EventEntry, sourceNode } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import type { Checkpoint } from './checkpoints.js';
import { summaryStates } from './pruned-ranges.js';
import { PRUNED_TYPE } from './retention-pass.js';

/**
 * A pruned range as a bundle carries it (host/store/bundle-format.ts, its
 * fifth item, present only when the range has one): what retention deleted
 * and the proof that the hub said so, checkable offline:
 *
 *   [first, last, count, hash, prev, lastHash, hubKey, summary, checkpoint]
 *
 * summary: the `system.retention.pruned` entry of the hub's chain (envelope
 * map); checkpoint: the hub's signed head [first, last, head, sig] ending on it.
 */
export interface PrunedProof {
  first: number;
  last: number;
  count: number;
  hash: Uint8Array;
  prev: Uint8Array;
  lastHash: Uint8Array;
  hubKey: Uint8Array;
  summary: EventEntry;
  checkpoint: Checkpoint;
}

export function prunedToValue(p: PrunedProof): Value {
  const c = p.checkpoint;
  return [p.first, p.last, p.count, p.hash, p.prev, p.lastHash, p.hubKey, entryToValue(p.summary), [c.first, c.last, c.head, c.sig]];
}

const isSeq = (v: Value): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const isBytes = (v: Value, n: number): v is Uint8Array => v instanceof Uint8Array && v.length === n;

/** A pruned item's shape (TypeError-free: a malformed one is `why`, for BundleError). */
export function prunedFromValue(v: Value): PrunedProof | string {
  if (!Array.isArray(v) || v.length !== 9) return 'not an array of 9 items';
  const [first, last, count, hash, prev, lastHash, hubKey, summary, cp] = v;
  if (!isSeq(first) || !isSeq(last) || last < first || count !== last - first + 1) return 'first, last and count are not a seq range';
  if (!isBytes(hash, 32) || !isBytes(prev, 32) || !isBytes(lastHash, 32) || !isBytes(hubKey, 32)) return 'hash, prev, lastHash or hubKey is not 32 bytes';
  if (!isValueMap(summary)) return 'summary is not an entry';
  if (!Array.isArray(cp) || cp.length !== 4 || !isSeq(cp[0]) || !isSeq(cp[1]) || !isBytes(cp[2], 32) || !isBytes(cp[3], 64))
    return 'checkpoint is not [first, last, head, sig]';
  let entry: EventEntry;
  try {
    entry = entryFromValue(summary);
  } catch (e) {
    return `summary: ${(e as Error).message}`;
  }
  return { first, last, count, hash, prev, lastHash, hubKey, summary: entry, checkpoint: { first: cp[0], last: cp[1], head: cp[2], sig: cp[3] } };
}

/**
 * Why a carried pruned range is not vouched for by its hub (undefined: it
 * is): the summary comes from the key's chain, is the head its checkpoint
 * signs, and states this node, range, count and hashes.
 */
export function prunedProofFault(node: string, p: PrunedProof, crypto: CryptoProvider): string | undefined {
  const hub = nodeIdFromPublicKey(p.hubKey, crypto);
  const s = p.summary;
  const c = p.checkpoint;
  if (sourceNode(s.source) !== hub || s.type !== PRUNED_TYPE) return `its summary is not a ${PRUNED_TYPE} of hub ${hub}`;
  if (c.last !== s.seq || !bytesEqual(entryHash(s, crypto), c.head) || !crypto.verify(c.sig, batchSignedForm(hub, c.first, c.last, c.head), p.hubKey))
    return `its summary (hub seq ${s.seq}) is not signed by hub ${hub}`;
  return summaryStates(s.data, node, p) ? undefined : `its summary (hub seq ${s.seq}) states another range or hash`;
}
