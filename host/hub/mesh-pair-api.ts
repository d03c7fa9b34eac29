import { randomBytes } from 'node:crypto';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { type NodeIdentity, nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import type { HubBeacon } from '../beacon/hub-beacon.js';
import { parseDuration } from '../duration.js';
import { MeshError } from '../mesh/mesh-error.js';
import { acceptPairInvite } from '../mesh/pair-accept.js';
import { openPairRequest, pairAnswer } from '../mesh/pair-exchange.js';
import { PairInviteBook } from '../mesh/pair-invites.js';
import {
  keyFingerprint,
  openSoundPairInvite,
  type PairInvite,
  pairInviteFromToken,
  pairInviteFromWords,
  pairInviteToToken,
  pairInviteToWords,
  signSoundPairInvite,
} from '../mesh/pair-token.js';
import { PeerBook } from '../mesh/peer-book.js';
import type { Cartridge } from '../store/cartridge.js';
import type { FailureLimit } from './failure-limit.js';
import { HttpError } from './http-error.js';
import type { HubLog } from './hub-log.js';
import { askedBy, jsonObject, meshRoute } from './mesh-http.js';
import type { OwnerAccess } from './owner-access.js';
import { sendJson } from './reply.js';
import type { Handler, Routes } from './route.js';

export interface MeshPairContext {
  cartridge: Cartridge;
  hubKey: NodeIdentity;
  crypto: CryptoProvider;
  clock: () => number;
  hubLog: () => HubLog;
  access: OwnerAccess;
  beacon: () => HubBeacon | undefined;
  /** Refused pairing invites and signatures per address (HubOptions.limits). */
  failures: { pair: FailureLimit };
}

const entropy = (n: number) => new Uint8Array(randomBytes(n));
const httpUrl = (v: unknown, field: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^https?:\/\/\S+$/.test(v)) throw new HttpError(400, 'bad-request', `${field} must be an http(s) URL`, { path: `/${field}` });
  return v.replace(/\/+$/, '');
};

/**
 * Pairing hubs (README "Pairing hubs"):
 * - POST /v1/mesh/pair/invite {ttl?, url?} (admin): a single-use invite as token, 24 words and a signed sound (hex CBOR to chirp);
 * - GET /v1/mesh/pair/key (open): this hub's public key, which the accepting hub checks against the invite;
 * - POST /v1/mesh/pair (open: the sealed, signed request carries the invite itself): the inviting side;
 * - POST /v1/mesh/pair/accept {token | words | sound, url?, self?, name?} (admin): the accepting side.
 * Both sides store the other's key (PeerBook) and say so on their chain (system.mesh.paired).
 */
export function meshPairRoutes(ctx: MeshPairContext): Routes {
  const db = ctx.cartridge.db;
  const invites = new PairInviteBook(db, ctx.crypto);
  const peers = new PeerBook(db, ctx.crypto);
  // A refused invite or signature is a guess: past the limit (10 a minute), the address waits (as enrolment does).
  const guesses = ctx.failures.pair;

  const invite = meshRoute('admin', async (req, res) => {
    const b = await jsonObject(req, ['ttl', 'url']);
    let ttlMs = 3_600_000;
    if (b.ttl !== undefined) {
      try {
        ttlMs = parseDuration(String(b.ttl), 'ttl', { bareMs: false });
      } catch (e) {
        throw new HttpError(400, 'bad-request', (e as Error).message, { path: '/ttl' });
      }
    }
    const url = httpUrl(b.url, 'url') ?? `http://${req.headers.host ?? '127.0.0.1:7070'}`;
    const made = invites.create({ ttlMs, now: Math.floor(ctx.clock()), entropy });
    const carried: PairInvite = { secret: made.secret, fingerprint: keyFingerprint(ctx.hubKey.publicKey, ctx.crypto), url };
    const sound = signSoundPairInvite({ secret: made.secret, url, expires: made.expiresAt }, ctx.hubKey, ctx.crypto);
    sendJson(res, 201, {
      token: pairInviteToToken(carried),
      words: pairInviteToWords(carried),
      sound: toHex(encodeCbor(sound)),
      hub: ctx.hubKey.id,
      url,
      expiresAt: made.expiresAt,
    });
  });

  const key = meshRoute('open', (_req, res) => sendJson(res, 200, { hub: toHex(ctx.hubKey.publicKey), id: ctx.hubKey.id }));

  const pair = meshRoute('open', async (req, res, url) => {
    const from = req.socket.remoteAddress ?? 'unknown';
    guesses.check(from);
    try {
      await inviterSide(req, res, url);
    } catch (e) {
      if (e instanceof MeshError && (e.code === 'pair-invite' || e.code === 'bad-signature')) guesses.fail(from);
      throw e;
    }
  });

  const inviterSide: Handler = async (req, res) => {
    const opened = openPairRequest(await jsonObject(req, ['box']), ctx.hubKey);
    const peer = nodeIdFromPublicKey(opened.publicKey, ctx.crypto);
    if (peer === ctx.hubKey.id) throw new MeshError('pair-invite', 'a hub cannot pair with itself');
    const now = Math.floor(ctx.clock());
    const log = ctx.hubLog();
    log.atomically(() => {
      invites.claim(opened.secret, peer, now);
      peers.add({ publicKey: opened.publicKey, url: opened.url, name: opened.name }, now);
      log.append('system.mesh.paired', 'mesh', {
        peer,
        role: 'inviter',
        ...(opened.name ? { name: opened.name } : {}),
        ...(opened.url ? { url: opened.url } : {}),
      });
    });
    sendJson(res, 200, pairAnswer(opened, ctx.hubKey, ctx.crypto));
  };

  const accept = meshRoute('admin', async (req, res) => {
    const b = await jsonObject(req, ['token', 'words', 'sound', 'url', 'self', 'name']);
    const given = ['token', 'words', 'sound'].filter((k) => b[k] !== undefined);
    if (given.length !== 1) throw new HttpError(400, 'bad-request', 'send exactly one of token, words or sound (hex CBOR of the heard invite)');
    if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length < 1 || b.name.length > 100))
      throw new HttpError(400, 'bad-request', 'name must be text of 1 to 100 characters', { path: '/name' });
    const now = Math.floor(ctx.clock());
    const inv: PairInvite & { publicKey?: Uint8Array } =
      b.token !== undefined
        ? pairInviteFromToken(String(b.token))
        : b.words !== undefined
          ? pairInviteFromWords(String(b.words))
          : openSoundPairInvite(soundValue(b.sound), ctx.crypto, now);
    const accepted = await acceptPairInvite(inv, {
      self: ctx.hubKey,
      crypto: ctx.crypto,
      entropy,
      selfUrl: httpUrl(b.self, 'self') ?? `http://${req.headers.host ?? '127.0.0.1:7070'}`,
      ...(typeof b.name === 'string' ? { selfName: b.name } : {}),
      inviterUrl: httpUrl(b.url, 'url'),
      find: { crypto: ctx.crypto, heard: () => ctx.beacon()?.peers() ?? [] },
    });
    const log = ctx.hubLog();
    const stored = log.atomically(() => {
      const p = peers.add(accepted, Math.floor(ctx.clock()));
      const data = { peer: p.hub, role: 'accepter', url: accepted.url, ...(accepted.name ? { name: accepted.name } : {}), by: askedBy(ctx.access, req) };
      log.append('system.mesh.paired', 'mesh', data);
      return p;
    });
    sendJson(res, 200, { hub: stored.hub, name: stored.name ?? null, url: stored.url ?? null, pairedAt: stored.pairedAt });
  });

  return {
    '/v1/mesh/pair/invite': { POST: invite },
    '/v1/mesh/pair/key': { GET: key },
    '/v1/mesh/pair': { POST: pair },
    '/v1/mesh/pair/accept': { POST: accept },
  };
}

function soundValue(v: unknown) {
  if (typeof v !== 'string' || !/^([0-9a-f]{2})+$/.test(v) || v.length > 2048)
    throw new HttpError(400, 'bad-request', 'sound must be hex CBOR of the heard invite', { path: '/sound' });
  try {
    return decodeCbor(fromHex(v));
  } catch {
    throw new MeshError('malformed', 'the heard pairing invite does not decode');
  }
}
