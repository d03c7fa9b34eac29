import { toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { MeshError } from '../mesh/mesh-error.js';
import { PeerBook } from '../mesh/peer-book.js';
import { ReplicationScope } from '../mesh/replication-scope.js';
import type { Cartridge } from '../store/cartridge.js';
import { HttpError } from './http-error.js';
import type { HubLog } from './hub-log.js';
import { askedBy, jsonObject, meshRoute } from './mesh-http.js';
import type { OwnerAccess } from './owner-access.js';
import { sendJson } from './reply.js';
import type { Routes } from './route.js';

/**
 * The paired hubs (`fazt mesh peers`):
 * - GET /v1/mesh/peers (read): each peer's id, key, name, URL, when paired and which nodes it replicates (null: all);
 * - POST /v1/mesh/peers/remove {hub} (admin): unpair (system.mesh.unpaired on the chain);
 * - POST /v1/mesh/peers/url {hub, url | null} (admin): where it is reached (null: by Beacon);
 * - POST /v1/mesh/peers/only {hub, nodes: [id…] | null} (admin): replicate only these nodes with it (null: all).
 */
export function meshPeersRoutes(ctx: { cartridge: Cartridge; crypto: CryptoProvider; clock: () => number; hubLog: () => HubLog; access: OwnerAccess }): Routes {
  const peers = new PeerBook(ctx.cartridge.db, ctx.crypto);
  const scope = new ReplicationScope(ctx.cartridge.db);
  const paired = (v: unknown): string => {
    if (typeof v !== 'string' || v.length === 0)
      throw new HttpError(400, 'bad-request', 'hub must be a paired hub id (fazt mesh peers lists them)', { path: '/hub' });
    if (!peers.get(v)) throw new MeshError('unpaired', `no paired hub has id ${v}`);
    return v;
  };

  const list = meshRoute('read', (_req, res) =>
    sendJson(res, 200, {
      peers: peers.list().map((p) => ({
        hub: p.hub,
        publicKey: toHex(p.publicKey),
        name: p.name ?? null,
        url: p.url ?? null,
        pairedAt: p.pairedAt,
        only: scope.only(p.hub) ?? null,
      })),
    }),
  );

  const remove = meshRoute('admin', async (req, res) => {
    const hub = paired((await jsonObject(req, ['hub'])).hub);
    const log = ctx.hubLog();
    log.atomically(() => {
      peers.remove(hub, Math.floor(ctx.clock()));
      log.append('system.mesh.unpaired', 'mesh', { peer: hub, by: askedBy(ctx.access, req) });
    });
    sendJson(res, 200, { hub, removed: true });
  });

  const url = meshRoute('admin', async (req, res) => {
    const b = await jsonObject(req, ['hub', 'url']);
    const hub = paired(b.hub);
    if (b.url !== null && (typeof b.url !== 'string' || !/^https?:\/\/\S+$/.test(b.url)))
      throw new HttpError(400, 'bad-request', 'url must be an http(s) URL, or null to find the hub by Beacon', { path: '/url' });
    peers.setUrl(hub, b.url === null ? undefined : b.url.replace(/\/+$/, ''));
    sendJson(res, 200, { hub, url: peers.get(hub)?.url ?? null });
  });

  const only = meshRoute('admin', async (req, res) => {
    const b = await jsonObject(req, ['hub', 'nodes']);
    const hub = paired(b.hub);
    if (b.nodes !== null && !(Array.isArray(b.nodes) && b.nodes.every((n) => typeof n === 'string')))
      throw new HttpError(400, 'bad-request', 'nodes must be a list of node ids, or null for every node', { path: '/nodes' });
    try {
      scope.set(hub, b.nodes === null ? undefined : (b.nodes as string[]));
    } catch (e) {
      if (e instanceof RangeError) throw new HttpError(400, 'bad-request', e.message, { path: '/nodes' });
      throw e;
    }
    sendJson(res, 200, { hub, only: scope.only(hub) ?? null });
  });

  return {
    '/v1/mesh/peers': { GET: list },
    '/v1/mesh/peers/remove': { POST: remove },
    '/v1/mesh/peers/url': { POST: url },
    '/v1/mesh/peers/only': { POST: only },
  };
}
