import { encodeCbor } from '../codec/cbor-encode.js';
import { toHex } from '../codec/text-encodings.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';

/**
 * The body of POST /v1/enroll: the invite token, the node's public key and a
 * proof that the node holds the matching secret key (an Ed25519 signature
 * over the deterministic CBOR of ["fazt/enroll/v1", token, publicKey]).
 * The hub checks it in host/hub/enroll-request.ts.
 */
const ENROLL_DOMAIN = 'fazt/enroll/v1';

export function enrollProofMessage(token: string, publicKey: Uint8Array): Uint8Array {
  return encodeCbor([ENROLL_DOMAIN, token, publicKey]);
}

export function enrollRequest(
  token: string,
  identity: NodeIdentity,
  crypto: CryptoProvider,
  info: { name?: string; board?: string } = {},
): Record<string, string> {
  const proof = crypto.sign(enrollProofMessage(token, identity.publicKey), identity.secretKey);
  const body: Record<string, string> = { token, publicKey: toHex(identity.publicKey), proof: toHex(proof) };
  if (info.name !== undefined) body.name = info.name;
  if (info.board !== undefined) body.board = info.board;
  return body;
}
