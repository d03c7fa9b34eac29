import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import type { Value } from '../../firmware/codec/value.js';
import { isValueMap } from '../../firmware/codec/value.js';
import { NODE_ID_PATTERN } from '../../firmware/identity/node-id.js';
import type { ChainHead } from './chain-heads.js';
import { MeshError } from './mesh-error.js';

/**
 * The bodies of the mesh routes (host/hub/mesh-api.ts), deterministic CBOR:
 *   fingerprint  request {fp: bytes32}             answer {fp: bytes32}
 *   heads        request [[node, seq, hash]...]    answer the same shape (the server's heads that differ)
 *   page         request {node, from, limit}       answer a fazt/bundle/v1 bundle, or empty when nothing is stored there
 */
export const MESH_PATHS = { fingerprint: '/v1/mesh/fingerprint', heads: '/v1/mesh/heads', page: '/v1/mesh/page' } as const;

const malformed = (what: string) => new MeshError('malformed', what);

function decode(bytes: Uint8Array, what: string): Value {
  try {
    return decodeCbor(bytes);
  } catch (e) {
    throw new MeshError('malformed', `${what} is not CBOR: ${(e as Error).message}`);
  }
}

export const encodeFingerprint = (fp: Uint8Array): Uint8Array => encodeCbor({ fp });

export function decodeFingerprint(bytes: Uint8Array): Uint8Array {
  const v = decode(bytes, 'the fingerprint');
  if (!isValueMap(v) || !(v.fp instanceof Uint8Array) || v.fp.length !== 32) throw malformed('send {fp: 32 bytes}');
  return v.fp;
}

export const encodeHeads = (heads: readonly ChainHead[]): Uint8Array => encodeCbor(heads.map((h) => [h.node, h.seq, h.hash]));

export function decodeHeads(bytes: Uint8Array): ChainHead[] {
  const v = decode(bytes, 'the heads');
  if (!Array.isArray(v)) throw malformed('heads are an array of [node, seq, hash]');
  return v.map((h, i) => {
    if (!Array.isArray(h) || h.length !== 3) throw malformed(`head ${i + 1} is not [node, seq, hash]`);
    const [node, seq, hash] = h;
    if (typeof node !== 'string' || !NODE_ID_PATTERN.test(node)) throw malformed(`head ${i + 1}: node is not a node id`);
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw malformed(`head ${i + 1}: seq is not a seq`);
    if (!(hash instanceof Uint8Array) || hash.length !== 32) throw malformed(`head ${i + 1}: hash is not 32 bytes`);
    return { node, seq, hash };
  });
}

export interface PageRequest {
  node: string;
  from: number;
  limit: number;
}

export const encodePageRequest = (p: PageRequest): Uint8Array => encodeCbor({ node: p.node, from: p.from, limit: p.limit });

export function decodePageRequest(bytes: Uint8Array): PageRequest {
  const v = decode(bytes, 'the page request');
  if (!isValueMap(v)) throw malformed('send {node, from, limit}');
  const { node, from, limit } = v;
  if (typeof node !== 'string' || !NODE_ID_PATTERN.test(node)) throw malformed('node is not a node id');
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 1) throw malformed('from is not a seq');
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) throw malformed('limit is not a whole number from 1');
  return { node, from, limit };
}
