import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import type { Value } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { open, seal } from '../chirp/seal.js';
import { MeshError } from './mesh-error.js';

/**
 * The pairing exchange, one round trip from the accepting hub B to the
 * inviting hub A, whose key B already holds and checked against the
 * invite's fingerprint:
 *   B → A: a sealed box (host/chirp/seal.ts) for A's key, signed by B's key,
 *          holding [domain, B's key, the invite secret, B's url, B's name, nonce].
 *          Only A can open it, so a hub on the path learns no secret; the
 *          AEAD binds B's key inside to the box, and B's signature proves B
 *          holds that key, so no one can pair in B's place with what B sent.
 *   A → B: A's key and its signature over [answer domain, A's key, B's key, nonce]:
 *          proof that the hub holding the invited key spent the invite for B.
 */
const DOMAIN = 'fazt/mesh-pair/v1';
const ANSWER_DOMAIN = 'fazt/mesh-pair-answer/v1';

/** What B sends (JSON): the sealed box as hex of its CBOR. */
export interface PairRequestBody {
  box: string;
}

/** What A answers (JSON). */
export interface PairAnswerBody {
  hub: string;
  name: string | null;
  sig: string;
}

/** What A learns from a request it opened. */
export interface OpenedPairRequest {
  publicKey: Uint8Array;
  secret: Uint8Array;
  url?: string;
  name?: string;
  nonce: Uint8Array;
}

export function pairRequest(o: {
  inviterKey: Uint8Array;
  secret: Uint8Array;
  self: NodeIdentity;
  url?: string;
  name?: string;
  entropy: (n: number) => Uint8Array;
}): { body: PairRequestBody; nonce: Uint8Array } {
  const nonce = o.entropy(16);
  const plaintext = encodeCbor([DOMAIN, o.self.publicKey, o.secret, o.url ?? null, o.name ?? null, nonce]);
  const box = seal(plaintext, o.inviterKey, { entropy: o.entropy, signWith: o.self.secretKey });
  return { body: { box: toHex(encodeCbor(box)) }, nonce };
}

/** A opens B's request with its own key; anything else is MeshError 'malformed' or 'bad-signature'. */
export function openPairRequest(body: unknown, self: NodeIdentity): OpenedPairRequest {
  const malformed = (m: string): never => {
    throw new MeshError('malformed', `pairing request ${m}`);
  };
  const hex = (body as { box?: unknown } | null)?.box;
  if (typeof hex !== 'string' || !/^([0-9a-f]{2})+$/.test(hex) || hex.length > 4096) return malformed('needs {"box": hex}');
  let opened: { plaintext: Uint8Array; from?: Uint8Array };
  try {
    opened = open(decodeCbor(fromHex(hex)), self.secretKey);
  } catch (e) {
    if (e instanceof FaztError && e.code === 'unseal') throw new MeshError('bad-signature', `pairing request ${e.message}`, { cause: e });
    return malformed('is not a sealed box');
  }
  if (!opened.from) throw new MeshError('bad-signature', 'pairing request is not signed by the hub asking to pair');
  let v: Value;
  try {
    v = decodeCbor(opened.plaintext);
  } catch {
    return malformed('does not decode');
  }
  if (!Array.isArray(v) || v.length !== 6 || v[0] !== DOMAIN) return malformed(`is not a ${DOMAIN} request`);
  const [, key, secret, url, name, nonce] = v;
  if (!(key instanceof Uint8Array) || key.length !== 32 || !(secret instanceof Uint8Array) || !(nonce instanceof Uint8Array))
    return malformed('lacks key, secret or nonce');
  if (toHex(key) !== toHex(opened.from)) throw new MeshError('bad-signature', 'pairing request is signed by another key than the one it names');
  if (url !== null && (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))) return malformed('url is not an http(s) URL');
  if (name !== null && (typeof name !== 'string' || name.length > 100)) return malformed('name is not text of at most 100 characters');
  return { publicKey: key, secret, nonce, ...(typeof url === 'string' ? { url } : {}), ...(typeof name === 'string' ? { name } : {}) };
}

const answerSigned = (a: Uint8Array, b: Uint8Array, nonce: Uint8Array): Uint8Array => encodeCbor([ANSWER_DOMAIN, a, b, nonce]);

export function pairAnswer(req: OpenedPairRequest, self: NodeIdentity, crypto: CryptoProvider, name?: string): PairAnswerBody {
  return { hub: toHex(self.publicKey), name: name ?? null, sig: toHex(crypto.sign(answerSigned(self.publicKey, req.publicKey, req.nonce), self.secretKey)) };
}

/** B checks A's answer: the key it sealed for, signed over B's key and nonce. */
export function checkPairAnswer(
  answer: unknown,
  o: { inviterKey: Uint8Array; self: Uint8Array; nonce: Uint8Array; crypto: CryptoProvider },
): { name?: string } {
  const a = answer as Partial<PairAnswerBody> | null;
  if (typeof a?.hub !== 'string' || typeof a.sig !== 'string' || !/^[0-9a-f]{128}$/.test(a.sig))
    throw new MeshError('malformed', 'pairing answer lacks hub and sig');
  if (a.hub !== toHex(o.inviterKey)) throw new MeshError('bad-signature', 'pairing answer names another hub key than the invite');
  if (!o.crypto.verify(fromHex(a.sig), answerSigned(o.inviterKey, o.self, o.nonce), o.inviterKey))
    throw new MeshError('bad-signature', "pairing answer is not signed by the invited hub's key");
  return typeof a.name === 'string' && a.name.length <= 100 ? { name: a.name } : {};
}
