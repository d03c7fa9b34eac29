import { VerifyError, type VerifyErrorCode } from '../errors.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { EventEntry } from '../event/envelope.js';
import type { EventLogHead } from '../event/event-log.js';
import { bytesEqual, checkContinuity, checkLinks } from '../event/verify-chain.js';
import { nodeIdFromPublicKey, NODE_ID_PATTERN } from '../identity/node-id.js';
import { batchSignedForm, type Batch } from './batch.js';
import { signatureChecked } from './checked-signature.js';
import { rebuiltHashes } from './compact-batch.js';

export interface VerifyOptions {
  crypto: CryptoProvider;
  /** The receiver's stored head for this node; undefined when it has nothing yet. */
  known?: EventLogHead;
}

export interface VerifiedBatch {
  /** Entries not yet stored by the receiver, in order. */
  fresh: EventEntry[];
  head: EventLogHead;
  /** Seqs the node signed as dropped and the receiver never had. */
  gap?: { from: number; to: number };
}

function fail(code: VerifyErrorCode, message: string): never {
  throw new VerifyError(code, message);
}

/**
 * Checks, in this order, each with its own error code: shape (malformed),
 * id ↔ key (key-mismatch), signature over the header (bad-signature), the
 * chain rules of verifyChain except continuity, the signed range complete
 * (truncated), the last entry hashing to the signed head (tampered), then
 * continuity with what the receiver stored (gap, chain-broken, replay).
 */
export function verifyBatch(batch: Batch, options: VerifyOptions): VerifiedBatch {
  const { crypto, known } = options;
  const b = batch;
  if (!b || typeof b !== 'object') fail('malformed', 'batch is not an object');
  if (typeof b.node !== 'string' || !NODE_ID_PATTERN.test(b.node)) fail('malformed', 'batch node is not a node id');
  if (!(b.key instanceof Uint8Array) || b.key.length !== 32) fail('malformed', 'batch key must be 32 bytes');
  if (!(b.sig instanceof Uint8Array) || b.sig.length !== 64) fail('malformed', 'batch sig must be 64 bytes');
  if (!(b.head instanceof Uint8Array) || b.head.length !== 32) fail('malformed', 'batch head must be 32 bytes');
  if (!Number.isSafeInteger(b.first) || !Number.isSafeInteger(b.last) || b.first < 1 || b.last < b.first) {
    fail('malformed', `batch range ${b.first}..${b.last} is not a seq range`);
  }
  if (!Array.isArray(b.entries) || b.entries.length === 0) fail('malformed', 'batch has no entries');

  if (nodeIdFromPublicKey(b.key, crypto) !== b.node) fail('key-mismatch', `node id ${b.node} does not derive from the key in the batch`);
  if (
    b.dropped !== undefined &&
    !(b.dropped && Number.isSafeInteger(b.dropped.from) && b.dropped.from >= 1 && b.dropped.to === b.first - 1 && b.dropped.from <= b.dropped.to)
  ) {
    fail('malformed', `dropped range must end just before seq ${b.first}`);
  }
  const signed = batchSignedForm(b.node, b.first, b.last, b.head, b.dropped);
  if (!signatureChecked(b, signed) && !crypto.verify(b.sig, signed, b.key)) {
    fail('bad-signature', `signature of batch ${b.first}..${b.last} from ${b.node} does not verify`);
  }

  // Within-batch rules first, so a truncated or tampered batch is named as
  // such before any replay or gap against the stored head.
  const es = b.entries;
  // A batch rebuilt from the compact form links by construction: its hashes are already known.
  const hashes = rebuiltHashes(b) ?? checkLinks(b.node, es, crypto);
  if (es[0].seq !== b.first || es[es.length - 1].seq !== b.last) {
    fail('truncated', `batch signs seq ${b.first}..${b.last} but carries ${es[0].seq}..${es[es.length - 1].seq}`);
  }
  if (!bytesEqual(hashes[es.length - 1], b.head)) fail('tampered', `entry seq ${b.last} does not hash to the signed head`);

  // A gap the node signed for (its buffer overflowed) is accepted when it
  // covers everything between the stored head and this batch; the chain is
  // re-anchored at this batch's first entry.
  const stored = known ? known.seq : 0;
  if (b.dropped && b.first > stored + 1 && b.dropped.from <= stored + 1) {
    return { fresh: es, head: { seq: b.last, hash: b.head }, gap: { from: stored + 1, to: b.first - 1 } };
  }
  const fresh = checkContinuity(b.node, es, hashes, known);
  return { fresh, head: { seq: b.last, hash: b.head } };
}
