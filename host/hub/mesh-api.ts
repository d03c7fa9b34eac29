import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { MESH_HEADERS, signMeshResponse } from '../mesh/mesh-auth.js';
import { MeshError } from '../mesh/mesh-error.js';
import type { MeshHub } from '../mesh/mesh-hub.js';
import { decodeFingerprint, decodeHeads, decodePageRequest, encodeFingerprint, encodeHeads, MESH_PATHS } from '../mesh/mesh-wire.js';
import { parseJsonBody } from './decode-uplink.js';
import { HttpError } from './http-error.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Routes, requireType, route } from './route.js';

const MESH_STATUS: Record<string, number> = { unpaired: 403, 'bad-signature': 401, stale: 401, replay: 409, malformed: 400, 'out-of-scope': 403 };
const REQUEST_LIMIT = 1024 * 1024;

/** A signed peer request's handler: the checked peer and the body in, the answer's bytes out. */
type PeerHandler = (peer: string, body: Uint8Array) => Uint8Array;

/**
 * The routes paired hubs call (access 'peer': each request signed by a
 * paired hub's key, host/mesh/mesh-auth.ts; each answer signed by this hub),
 * with CBOR bodies (host/mesh/mesh-wire.ts), and the owner's: a sync round
 * now (admin) and the mesh's status (read).
 */
export function meshRoutes(ctx: { mesh: MeshHub; hubKey: NodeIdentity; crypto: CryptoProvider }): Routes {
  const { mesh } = ctx;
  const signed = (handle: PeerHandler) => async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const body = new Uint8Array(await readBody(req, REQUEST_LIMIT));
    let answer: Uint8Array;
    let nonce: string;
    try {
      const checked = mesh.gate.check({ method: req.method ?? '', path: url.pathname + url.search, body, headers: req.headers });
      nonce = checked.nonce;
      answer = handle(checked.peer.hub, body);
    } catch (e) {
      if (e instanceof MeshError) throw new HttpError(MESH_STATUS[e.code] ?? 400, e.code, e.message);
      throw e;
    }
    res.writeHead(200, {
      'content-type': 'application/cbor',
      'content-length': String(answer.length),
      'cache-control': 'no-store',
      [MESH_HEADERS.sig]: signMeshResponse(nonce, 200, answer, ctx.hubKey, ctx.crypto),
    });
    res.end(answer);
  };
  const fingerprint: PeerHandler = (peer, body) => {
    decodeFingerprint(body);
    return encodeFingerprint(mesh.store.fingerprintFor(peer));
  };
  const heads: PeerHandler = (peer, body) => encodeHeads(mesh.store.exchangeHeads(peer, decodeHeads(body)));
  const page: PeerHandler = (peer, body) => {
    const p = decodePageRequest(body);
    return mesh.store.pageFor(peer, p.node, p.from, p.limit) ?? new Uint8Array(0);
  };
  return {
    [MESH_PATHS.fingerprint]: { POST: route('peer', signed(fingerprint)) },
    [MESH_PATHS.heads]: { POST: route('peer', signed(heads)) },
    [MESH_PATHS.page]: { POST: route('peer', signed(page)) },
    '/v1/mesh/sync': {
      POST: route('admin', async (req, res) => {
        requireType(req, ['application/json']);
        const doc = parseJsonBody(await readBody(req, 1024));
        const peer = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as { peer?: unknown }).peer : undefined;
        if (peer !== undefined && typeof peer !== 'string') throw new HttpError(400, 'bad-request', 'peer must be a hub id', { path: '/peer' });
        try {
          sendJson(res, 200, { rounds: await mesh.syncNow(peer) });
        } catch (e) {
          if (e instanceof MeshError) throw new HttpError(404, e.code, e.message);
          if (e instanceof RangeError) throw new HttpError(400, 'bad-request', e.message);
          throw e;
        }
      }),
    },
    '/v1/mesh/status': { GET: route('read', (_req, res) => sendJson(res, 200, mesh.status())) },
  };
}
