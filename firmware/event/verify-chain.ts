import { ForkError, GapError, VerifyError, type VerifyErrorCode } from '../errors.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { entryHash, GENESIS_PREV, idFromHash, isEventClock, sourceNode, type EventEntry } from './envelope.js';
import type { EventLogHead } from './event-log.js';

export interface VerifiedChain {
  /** Entries the receiver had not stored, in order. */
  fresh: EventEntry[];
  /** Each entry's hash, index-aligned with the input. */
  hashes: Uint8Array[];
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

function fail(code: VerifyErrorCode, message: string): never {
  throw new VerifyError(code, message);
}

/**
 * Checks consecutive entries of one node and their link to what the receiver
 * stored (`known`). Each rule has its own code; see checkLinks and
 * checkContinuity.
 */
export function verifyChain(node: string, entries: EventEntry[], crypto: CryptoProvider, known?: EventLogHead): VerifiedChain {
  const hashes = checkLinks(node, entries, crypto);
  return { fresh: checkContinuity(node, entries, hashes, known), hashes };
}

/**
 * Within the entries: a `clock`, where present, one of EVENT_CLOCKS
 * (malformed), every one from `node` (foreign-entry), seqs ascending
 * (reordered) and without holes (gap), each id matching its content
 * (tampered), each prev linking to the entry before (chain-broken).
 * Returns each entry's hash.
 */
export function checkLinks(node: string, entries: EventEntry[], crypto: CryptoProvider): Uint8Array[] {
  const es = entries;
  if (!Array.isArray(es) || es.length === 0) fail('malformed', 'no entries');
  for (let i = 0; i < es.length; i++) {
    const c = es[i].clock;
    if (c !== undefined && !isEventClock(c)) fail('malformed', `entry seq ${es[i].seq}: clock '${String(c)}' is not rtc, hub or unsynced`);
  }
  for (let i = 0; i < es.length; i++) {
    if (sourceNode(es[i].source) !== node) fail('foreign-entry', `entry seq ${es[i].seq} comes from ${es[i].source}, not ${node}`);
  }
  for (let i = 1; i < es.length; i++) {
    if (es[i].seq <= es[i - 1].seq) fail('reordered', `seq ${es[i].seq} follows seq ${es[i - 1].seq}`);
  }
  for (let i = 1; i < es.length; i++) {
    if (es[i].seq !== es[i - 1].seq + 1) fail('gap', `seq ${es[i - 1].seq + 1}..${es[i].seq - 1} missing`);
  }
  const hashes: Uint8Array[] = new Array(es.length);
  for (let i = 0; i < es.length; i++) {
    hashes[i] = entryHash(es[i], crypto);
    if (es[i].id !== idFromHash(hashes[i])) fail('tampered', `entry seq ${es[i].seq} does not match its id ${es[i].id}`);
    if (i > 0 && !bytesEqual(es[i].prev, hashes[i - 1])) fail('chain-broken', `entry seq ${es[i].seq} does not link to seq ${es[i - 1].seq}`);
  }
  return hashes;
}

/**
 * Against the receiver's stored head: a first contact starts at seq 1 from the
 * genesis value, a continuation links to the stored head (else gap or
 * chain-broken), an overlap agrees with the stored entry (else chain-broken:
 * a fork) and brings something new (else replay). Returns the new entries.
 */
export function checkContinuity(node: string, es: EventEntry[], hashes: Uint8Array[], known?: EventLogHead): EventEntry[] {
  const first = es[0].seq;
  const last = es[es.length - 1].seq;
  let fresh = es;
  if (!known || known.seq === 0) {
    if (first !== 1) throw new GapError(`nothing stored from ${node}; entries start at seq ${first}, not 1`, { seq: 0 });
    if (!bytesEqual(es[0].prev, GENESIS_PREV)) fail('chain-broken', 'seq 1 must link to the genesis value (32 zero bytes)');
  } else if (first > known.seq + 1) {
    throw new GapError(`stored up to seq ${known.seq}; entries start at seq ${first}`, { seq: known.seq, hash: known.hash });
  } else if (first === known.seq + 1) {
    if (!bytesEqual(es[0].prev, known.hash)) throw new ForkError(`seq ${first} does not link to stored seq ${known.seq}`, known);
  } else {
    // Overlap with what is stored: the entry at the stored head must be the stored one.
    const at = known.seq - first;
    if (known.seq <= last && !bytesEqual(hashes[at], known.hash)) throw new ForkError(`seq ${known.seq} differs from the stored entry (a fork)`, known);
    if (last <= known.seq) fail('replay', `seq ${first}..${last} already stored (head ${known.seq})`);
    fresh = es.slice(at + 1);
  }
  return fresh;
}
