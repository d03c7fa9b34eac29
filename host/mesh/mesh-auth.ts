import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { fromBase64url, toBase64url } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { MeshError } from './mesh-error.js';
import type { Peer } from './peer-book.js';

/** The headers a signed mesh request and its signed response carry (never the URL: it ends up in logs). */
export const MESH_HEADERS = { hub: 'fazt-mesh-hub', time: 'fazt-mesh-time', nonce: 'fazt-mesh-nonce', sig: 'fazt-mesh-sig' } as const;

/** How far a request's clock may be from ours, each way. */
export const MESH_CLOCK_WINDOW_MS = 120_000;
const REQUEST_DOMAIN = 'fazt/mesh-request/v1';
const RESPONSE_DOMAIN = 'fazt/mesh-response/v1';
const MAX_NONCES = 65_536;

/** What a request's signature covers: domain, method, path, body digest, time, nonce, and the hub it is for. */
function requestSignedForm(
  r: { method: string; path: string; body: Uint8Array; time: number; nonce: string; target: string },
  crypto: CryptoProvider,
): Uint8Array {
  return encodeCbor([REQUEST_DOMAIN, r.method, r.path, crypto.sha256(r.body), r.time, r.nonce, r.target]);
}

function responseSignedForm(nonce: string, status: number, body: Uint8Array, crypto: CryptoProvider): Uint8Array {
  return encodeCbor([RESPONSE_DOMAIN, nonce, status, crypto.sha256(body)]);
}

/** The headers that sign a request from `self` to hub `target`; the nonce is kept to check the answer. */
export function signMeshRequest(
  r: { method: string; path: string; body: Uint8Array; target: string },
  self: NodeIdentity,
  ctx: { crypto: CryptoProvider; clock: () => number; entropy: (n: number) => Uint8Array },
): { headers: Record<string, string>; nonce: string } {
  const time = Math.floor(ctx.clock());
  const nonce = toBase64url(ctx.entropy(16));
  const sig = ctx.crypto.sign(requestSignedForm({ ...r, time, nonce }, ctx.crypto), self.secretKey);
  return {
    nonce,
    headers: { [MESH_HEADERS.hub]: self.id, [MESH_HEADERS.time]: String(time), [MESH_HEADERS.nonce]: nonce, [MESH_HEADERS.sig]: toBase64url(sig) },
  };
}

/** The signature header of a response to the request with `nonce`. */
export function signMeshResponse(nonce: string, status: number, body: Uint8Array, self: NodeIdentity, crypto: CryptoProvider): string {
  return toBase64url(crypto.sign(responseSignedForm(nonce, status, body, crypto), self.secretKey));
}

/** Checks a response against the paired peer's stored key; throws MeshError 'bad-signature' (unsigned or signed by another key). */
export function checkMeshResponse(peer: Peer, nonce: string, status: number, body: Uint8Array, sig: string | null, crypto: CryptoProvider): void {
  let bytes: Uint8Array | undefined;
  try {
    bytes = sig ? fromBase64url(sig) : undefined;
  } catch {
    bytes = undefined;
  }
  if (!bytes || !crypto.verify(bytes, responseSignedForm(nonce, status, body, crypto), peer.publicKey))
    throw new MeshError('bad-signature', `the answer from ${peer.hub} is not signed by its paired key (status ${status})`);
}

type Header = string | string[] | undefined;
const one = (h: Header): string | undefined => (typeof h === 'string' ? h : undefined);

/**
 * The server's check of a signed mesh request: from a paired hub (PeerBook),
 * for this hub, within the clock window, with a nonce not seen in that
 * window (bounded memory), signed by the peer's stored key. Throws MeshError
 * 'unpaired', 'bad-signature', 'stale' or 'replay'.
 */
export class MeshGate {
  /** Nonces seen, by the time they may be forgotten (their request's time + window). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly o: { self: NodeIdentity; crypto: CryptoProvider; clock: () => number; peer: (hub: string) => Peer | undefined }) {}

  check(req: { method: string; path: string; body: Uint8Array; headers: Record<string, Header> }): { peer: Peer; nonce: string } {
    const hub = one(req.headers[MESH_HEADERS.hub]);
    const timeText = one(req.headers[MESH_HEADERS.time]);
    const nonce = one(req.headers[MESH_HEADERS.nonce]);
    const sigText = one(req.headers[MESH_HEADERS.sig]);
    if (!hub || !timeText || !nonce || !sigText)
      throw new MeshError('unpaired', 'a mesh request must be signed by a paired hub (fazt-mesh-hub, -time, -nonce, -sig)');
    const peer = this.o.peer(hub);
    if (!peer) throw new MeshError('unpaired', `hub ${hub} is not paired with this one`);
    const time = Number(timeText);
    const now = this.o.clock();
    if (!Number.isSafeInteger(time) || Math.abs(now - time) > MESH_CLOCK_WINDOW_MS)
      throw new MeshError('stale', `the request's time is not within ${MESH_CLOCK_WINDOW_MS / 1000} s of this hub's clock`);
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) throw new MeshError('bad-signature', 'the nonce is not 16 to 64 base64url characters');
    let sig: Uint8Array;
    try {
      sig = fromBase64url(sigText);
    } catch {
      throw new MeshError('bad-signature', 'the signature is not base64url');
    }
    const form = requestSignedForm({ method: req.method, path: req.path, body: req.body, time, nonce, target: this.o.self.id }, this.o.crypto);
    if (!this.o.crypto.verify(sig, form, peer.publicKey)) throw new MeshError('bad-signature', `the request is not signed by ${hub}'s paired key`);
    this.remember(`${hub}/${nonce}`, time + MESH_CLOCK_WINDOW_MS, now);
    return { peer, nonce };
  }

  private remember(key: string, until: number, now: number): void {
    if (this.seen.has(key)) throw new MeshError('replay', 'this request was seen before (its nonce is not fresh)');
    if (this.seen.size >= MAX_NONCES) for (const [k, t] of this.seen) if (t < now) this.seen.delete(k);
    if (this.seen.size >= MAX_NONCES) throw new MeshError('replay', 'too many mesh requests within the clock window; try again shortly');
    this.seen.set(key, until);
  }
}
