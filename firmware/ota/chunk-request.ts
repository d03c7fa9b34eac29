import { decodeCbor } from '../codec/cbor-decode.js';
import { encodeCbor } from '../codec/cbor-encode.js';
import { isValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { VerifyError } from '../errors.js';
import { NODE_ID_PATTERN, type NodeIdentity } from '../identity/node-id.js';

/**
 * A node's request for one chunk of a firmware image it was offered (POST
 * /v1/firmware/chunk, application/cbor): {v: 1, node, image, n, sig}, where
 * `sig` is the node's Ed25519 signature over the CBOR of
 *   ["fazt/chunk/v1", node, image, n]
 * and `image` the image's SHA-256. The hub answers only an enrolled,
 * unrevoked node whose key made the signature and to which it offered that
 * image. No nonce: a replayed request fetches the same bytes, which the
 * node checks against the signed manifest anyway.
 */
export interface ChunkRequest {
  v: 1;
  node: string;
  image: Uint8Array;
  n: number;
  sig: Uint8Array;
}

const DOMAIN = 'fazt/chunk/v1';
const FIELDS = ['v', 'node', 'image', 'n', 'sig'];

function signedForm(node: string, image: Uint8Array, n: number): Uint8Array {
  return encodeCbor([DOMAIN, node, image, n]);
}

/** The request's CBOR bytes, signed with the node's key. */
export function createChunkRequest(identity: NodeIdentity, image: Uint8Array, n: number, crypto: CryptoProvider): Uint8Array {
  const sig = crypto.sign(signedForm(identity.id, image, n), identity.secretKey);
  return encodeCbor({ v: 1, node: identity.id, image, n, sig });
}

/** Decodes a request and checks its shape (VerifyError 'malformed', naming the field). */
export function chunkRequestFromCbor(bytes: Uint8Array): ChunkRequest {
  const v = decodeCbor(bytes, { maxBytes: 512 });
  if (!isValueMap(v)) throw new VerifyError('malformed', 'a chunk request is a map {v, node, image, n, sig}');
  for (const k in v) if (FIELDS.indexOf(k) < 0) throw new VerifyError('malformed', `chunk request field '${k}' is not one of ${FIELDS.join(', ')}`);
  if (v.v !== 1) throw new VerifyError('malformed', 'chunk request v must be 1');
  if (typeof v.node !== 'string' || !NODE_ID_PATTERN.test(v.node)) throw new VerifyError('malformed', 'chunk request node is not a node id');
  if (!(v.image instanceof Uint8Array) || v.image.length !== 32) throw new VerifyError('malformed', 'chunk request image must be 32 bytes (its SHA-256)');
  if (!Number.isSafeInteger(v.n) || (v.n as number) < 0) throw new VerifyError('malformed', 'chunk request n must be an integer ≥ 0');
  if (!(v.sig instanceof Uint8Array) || v.sig.length !== 64) throw new VerifyError('malformed', 'chunk request sig must be 64 bytes');
  return { v: 1, node: v.node, image: v.image, n: v.n as number, sig: v.sig };
}

/** Whether the request is signed by the node's (enrolled) key. */
export function verifyChunkRequest(r: ChunkRequest, publicKey: Uint8Array, crypto: CryptoProvider): boolean {
  return crypto.verify(r.sig, signedForm(r.node, r.image, r.n), publicKey);
}
