import { encodeCbor } from '../codec/cbor-encode.js';
import { toHex } from '../codec/text-encodings.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';

/**
 * The body of POST /v1/enroll: the invite token, the node's public key and a
 * proof that the node holds the matching secret key (an Ed25519 signature
 * over the deterministic CBOR of ["fazt/enroll/v1", token, publicKey]).
 */
export const ENROLL_DOMAIN = 'fazt/enroll/v1';

export function enrollProofMessage(token: string, publicKey: Uint8Array): Uint8Array {
  return encodeCbor([ENROLL_DOMAIN, token, publicKey]);
}

export function enrollRequest(identity: NodeIdentity, token: string, name: string, board: string, crypto: CryptoProvider): { token: string; publicKey: string; name: string; board: string; proof: string } {
  const proof = crypto.sign(enrollProofMessage(token, identity.publicKey), identity.secretKey);
  return { token, publicKey: toHex(identity.publicKey), name, board, proof: toHex(proof) };
}
