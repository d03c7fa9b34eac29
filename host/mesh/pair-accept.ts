import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { MeshError, type MeshErrorCode } from './mesh-error.js';
import { checkPairAnswer, pairRequest } from './pair-exchange.js';
import { keyFingerprint, type PairInvite } from './pair-token.js';
import { type FindHubOptions, findHubByBeacon } from './resolve-peer-url.js';

export interface AcceptOptions {
  self: NodeIdentity;
  crypto: CryptoProvider;
  entropy: (n: number) => Uint8Array;
  /** Where the inviting hub should reach this one (stored with this hub on its side). */
  selfUrl?: string;
  selfName?: string;
  /** Where the inviting hub is, when the invite does not say (words): else Beacon finds it by its key. */
  inviterUrl?: string;
  find: FindHubOptions;
}

/** The inviting hub, proven: its key (the one the invite named), where it answered, its name. */
export interface AcceptedPeer {
  publicKey: Uint8Array;
  url: string;
  name?: string;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => toHex(a) === toHex(b);

async function call(url: string, init: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new MeshError('unreachable', `the inviting hub at ${new URL(url).origin} cannot be reached (${(e as Error).message})`, { cause: e });
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) {
    const code = (body.error?.code ?? 'unreachable') as MeshErrorCode;
    throw new MeshError(code, `the inviting hub refused: ${body.error?.message ?? `status ${res.status}`}`);
  }
  return body;
}

/**
 * The accepting side of pairing (host/mesh/pair-exchange.ts): finds the
 * inviting hub, takes its key only if it matches the invite's fingerprint,
 * sends the sealed request and checks the signed answer. Stores nothing:
 * the caller stores the returned peer.
 */
export async function acceptPairInvite(invite: PairInvite & { publicKey?: Uint8Array }, o: AcceptOptions): Promise<AcceptedPeer> {
  const fits = (key: Uint8Array) => same(keyFingerprint(key, o.crypto), invite.fingerprint);
  const base = (invite.url ?? o.inviterUrl ?? (await findHubByBeacon(fits, 'the inviting hub', o.find))).replace(/\/+$/, '');
  let key = invite.publicKey;
  if (!key) {
    const answer = (await call(`${base}/v1/mesh/pair/key`, { method: 'GET' })) as { hub?: unknown };
    if (typeof answer.hub !== 'string' || !/^[0-9a-f]{64}$/.test(answer.hub)) throw new MeshError('malformed', `${base} answered no hub key`);
    key = fromHex(answer.hub);
  }
  if (!fits(key)) throw new MeshError('bad-signature', `the hub at ${base} holds another key than the one the invite names: not pairing with it`);
  if (same(key, o.self.publicKey)) throw new MeshError('pair-invite', "the invite is this hub's own: accept it on the other hub");
  const { body, nonce } = pairRequest({ inviterKey: key, secret: invite.secret, self: o.self, url: o.selfUrl, name: o.selfName, entropy: o.entropy });
  const answer = await call(`${base}/v1/mesh/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { name } = checkPairAnswer(answer, { inviterKey: key, self: o.self.publicKey, nonce, crypto: o.crypto });
  return { publicKey: key, url: base, ...(name !== undefined ? { name } : {}) };
}
