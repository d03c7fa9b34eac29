import { decodeCbor } from '../codec/cbor-decode.js';
import { encodeCbor } from '../codec/cbor-encode.js';
import { isValueMap, type ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { VerifyError } from '../errors.js';
import type { EventLogHead } from '../event/event-log.js';
import { NODE_ID_PATTERN, type NodeIdentity } from '../identity/node-id.js';

/**
 * A node's request for commands when it has nothing to send (POST
 * /v1/downlink, application/cbor): {v: 1, node, seq, head, nonce, sig},
 * where `sig` is the node's Ed25519 signature over the CBOR of
 * ["fazt/poll/v1", node, seq, head, nonce]. seq and head are the node's
 * chain head; the nonce is fresh for every poll and comes back inside the
 * hub's signed answer, so a recorded answer cannot be replayed to a later
 * poll.
 */
export interface DownlinkPoll {
  v: 1;
  node: string;
  seq: number;
  head: Uint8Array;
  nonce: Uint8Array;
  sig: Uint8Array;
}

const POLL_DOMAIN = 'fazt/poll/v1';
const FIELDS = ['v', 'node', 'seq', 'head', 'nonce', 'sig'];
export const POLL_NONCE_BYTES = 16;

function signedForm(node: string, seq: number, head: Uint8Array, nonce: Uint8Array): Uint8Array {
  return encodeCbor([POLL_DOMAIN, node, seq, head, nonce]);
}

/** The poll's CBOR bytes, signed with the node's key. */
export function createPoll(identity: NodeIdentity, head: EventLogHead, nonce: Uint8Array, crypto: CryptoProvider): Uint8Array {
  if (!(nonce instanceof Uint8Array) || nonce.length !== POLL_NONCE_BYTES) throw new RangeError(`nonce must be ${POLL_NONCE_BYTES} bytes`);
  const sig = crypto.sign(signedForm(identity.id, head.seq, head.hash, nonce), identity.secretKey);
  return encodeCbor({ v: 1, node: identity.id, seq: head.seq, head: head.hash, nonce, sig });
}

function bytesOf(m: ValueMap, k: string, n: number): Uint8Array {
  const b = m[k];
  if (!(b instanceof Uint8Array) || b.length !== n) throw new VerifyError('malformed', `poll ${k} must be ${n} bytes`);
  return b;
}

/** Decodes a poll (strict deterministic CBOR: CodecError) and checks its shape (VerifyError 'malformed', naming the field). */
export function pollFromCbor(bytes: Uint8Array): DownlinkPoll {
  const v = decodeCbor(bytes, { maxBytes: 1024 });
  if (!isValueMap(v)) throw new VerifyError('malformed', 'a poll is a map {v, node, seq, head, nonce, sig}');
  for (const k in v) if (FIELDS.indexOf(k) < 0) throw new VerifyError('malformed', `poll field '${k}' is not one of ${FIELDS.join(', ')}`);
  if (v.v !== 1) throw new VerifyError('malformed', 'poll v must be 1');
  if (typeof v.node !== 'string' || !NODE_ID_PATTERN.test(v.node)) throw new VerifyError('malformed', 'poll node is not a node id');
  if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 0) throw new VerifyError('malformed', 'poll seq must be an integer ≥ 0');
  return {
    v: 1,
    node: v.node,
    seq: v.seq as number,
    head: bytesOf(v, 'head', 32),
    nonce: bytesOf(v, 'nonce', POLL_NONCE_BYTES),
    sig: bytesOf(v, 'sig', 64),
  };
}

/** Whether the poll is signed by the node's (enrolled) key. */
export function verifyPoll(p: DownlinkPoll, publicKey: Uint8Array, crypto: CryptoProvider): boolean {
  return crypto.verify(p.sig, signedForm(p.node, p.seq, p.head, p.nonce), publicKey);
}
