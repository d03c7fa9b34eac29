import { VerifyError } from '../errors.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { entryHash, GENESIS_PREV, idFromHash, sourceNode, type EventEntry } from '../event/envelope.js';
import { nodeIdFromPublicKey, NODE_ID_PATTERN } from '../identity/node-id.js';
import type { EventLogHead } from '../event/event-log.js';
import { batchSignedForm, type Batch } from './batch.js';

export interface VerifyOptions {
  crypto: CryptoProvider;
  /** The receiver's stored head for this node; undefined when it has nothing yet. */
  known?: EventLogHead;
}

export interface VerifiedBatch {
  /** Entries not yet stored by the receiver, in order. */
  fresh: EventEntry[];
  head: EventLogHead;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

function fail(code: ConstructorParameters<typeof VerifyError>[0], message: string): never {
  throw new VerifyError(code, message);
}

/**
 * Checks, in this order, each with its own error code: shape (malformed),
 * id ↔ key (key-mismatch), signature (bad-signature), every entry from this
 * node (foreign-entry), seq order (reordered), no missing seq (gap), the
 * signed range complete (truncated), each id matching its content (tampered),
 * prev links (chain-broken), the signed head (tampered), and continuity with
 * what the receiver stored (gap, chain-broken, replay).
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
  if (!crypto.verify(b.sig, batchSignedForm(b.node, b.first, b.last, b.head), b.key)) {
    fail('bad-signature', `signature of batch ${b.first}..${b.last} from ${b.node} does not verify`);
  }

  const es = b.entries;
  for (let i = 0; i < es.length; i++) {
    if (sourceNode(es[i].source) !== b.node) fail('foreign-entry', `entry seq ${es[i].seq} comes from ${es[i].source}, not ${b.node}`);
  }
  for (let i = 1; i < es.length; i++) {
    if (es[i].seq <= es[i - 1].seq) fail('reordered', `seq ${es[i].seq} follows seq ${es[i - 1].seq}`);
  }
  for (let i = 1; i < es.length; i++) {
    if (es[i].seq !== es[i - 1].seq + 1) fail('gap', `seq ${es[i - 1].seq + 1}..${es[i].seq - 1} missing inside the batch`);
  }
  if (es[0].seq !== b.first || es[es.length - 1].seq !== b.last) {
    fail('truncated', `batch signs seq ${b.first}..${b.last} but carries ${es[0].seq}..${es[es.length - 1].seq}`);
  }

  const hashes: Uint8Array[] = new Array(es.length);
  for (let i = 0; i < es.length; i++) {
    hashes[i] = entryHash(es[i], crypto);
    if (es[i].id !== idFromHash(hashes[i])) fail('tampered', `entry seq ${es[i].seq} does not match its id ${es[i].id}`);
    if (i > 0 && !equal(es[i].prev, hashes[i - 1])) fail('chain-broken', `entry seq ${es[i].seq} does not link to seq ${es[i - 1].seq}`);
  }
  if (!equal(hashes[es.length - 1], b.head)) fail('tampered', `entry seq ${b.last} does not hash to the signed head`);

  // Continuity with what the receiver already holds.
  let fresh = es;
  if (!known || known.seq === 0) {
    if (b.first !== 1) fail('gap', `nothing stored from ${b.node}; batch starts at seq ${b.first}, not 1`);
    if (!equal(es[0].prev, GENESIS_PREV)) fail('chain-broken', 'seq 1 must link to the genesis value (32 zero bytes)');
  } else if (b.first > known.seq + 1) {
    fail('gap', `stored up to seq ${known.seq}; batch starts at seq ${b.first}`);
  } else if (b.first === known.seq + 1) {
    if (!equal(es[0].prev, known.hash)) fail('chain-broken', `seq ${b.first} does not link to stored seq ${known.seq}`);
  } else {
    // Overlap: the entry at the stored head must be the one stored.
    const at = known.seq - b.first;
    if (known.seq <= b.last && !equal(hashes[at], known.hash)) fail('chain-broken', `seq ${known.seq} differs from the stored entry (a fork)`);
    if (b.last <= known.seq) fail('replay', `seq ${b.first}..${b.last} already stored (head ${known.seq})`);
    fresh = es.slice(at + 1);
  }
  return { fresh, head: { seq: b.last, hash: b.head } };
}
