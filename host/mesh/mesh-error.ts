import { FaztError } from '../../hal/contracts/errors.js';

/**
 * What the mesh refuses, each with its own code so a test, the log and
 * `fazt mesh status` can tell them apart. Messages name the peer, node and
 * seq at fault, never a token or key.
 */
export class MeshError extends FaztError {
  constructor(code: MeshErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MeshError';
  }
}

export type MeshErrorCode =
  | 'unpaired' // the request is not signed by a paired hub (or the peer was unpaired)
  | 'bad-signature' // a mesh request or response whose signature does not verify
  | 'stale' // a signed request outside the accepted clock window
  | 'replay' // a signed request's nonce seen before
  | 'pair-invite' // a pairing invite unknown, expired or already used
  | 'altered' // an entry that does not hash to its id or link to the one before
  | 'reordered' // entries or checkpoints out of seq order
  | 'truncated' // a range missing entries its checkpoint signed
  | 'forged-checkpoint' // a checkpoint whose signature is not the node's
  | 'unsigned' // entries no checkpoint covers
  | 'malformed' // a page or message that does not decode
  | 'unknown-node' // a chain whose node no hub this one trusts has enrolled
  | 'node-revoked' // a chain whose node the owner revoked
  | 'fork' // two validly signed different entries at one seq: kept as proof, not stored
  | 'unreachable' // the peer could not be reached (kept for status, not a refusal)
  | 'broker-auth'; // the NATS server refused the hub's credentials (never names the secret)
