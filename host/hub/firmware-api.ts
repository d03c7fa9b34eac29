import type { IncomingMessage } from 'node:http';
import { fromBase64url, toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { VerifyError } from '../../firmware/errors.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { chunkRequestFromCbor, verifyChunkRequest } from '../../firmware/ota/chunk-request.js';
import type { Cartridge } from '../store/cartridge.js';
import { StoreError } from '../store/store-error.js';
import { parseJsonBody } from './decode-uplink.js';
import { publishFirmware } from './firmware-publish.js';
import { HttpError } from './http-error.js';
import type { HubLog } from './hub-log.js';
import { resolveNodeRef } from './node-ref.js';
import type { OwnerAccess } from './owner-access.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';

/** An image as base64url in JSON: a 16 MB image and its field names. */
const PUBLISH_LIMIT = 22 * 1024 * 1024 + 4096;
const CHUNK_REQUEST_LIMIT = 512;
const FIELDS = ['board', 'version', 'image', 'nodes', 'chunk'];

export interface FirmwareContext {
  cartridge: Cartridge;
  hubLog: () => HubLog;
  hubKey: NodeIdentity;
  crypto: CryptoProvider;
  access: OwnerAccess;
  clock: () => number;
}

function publishBody(doc: unknown): { board: string; version: string; image: string; nodes: string[]; chunk?: number } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new HttpError(400, 'bad-request', `send {${FIELDS.join(', ')}}`);
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) throw new HttpError(400, 'bad-request', `unknown field '${k}' (known: ${FIELDS.join(', ')})`);
  for (const f of ['board', 'version', 'image'])
    if (typeof o[f] !== 'string' || o[f] === '') throw new HttpError(400, 'bad-request', `${f} must be a non-empty string`, { path: `/${f}` });
  const nodes = o.nodes ?? [];
  if (!Array.isArray(nodes) || !nodes.every((n) => typeof n === 'string'))
    throw new HttpError(400, 'bad-request', 'nodes must be an array of node ids or names', { path: '/nodes' });
  if (o.chunk !== undefined && typeof o.chunk !== 'number') throw new HttpError(400, 'bad-request', 'chunk must be a number of bytes', { path: '/chunk' });
  return { board: o.board as string, version: o.version as string, image: o.image as string, nodes, chunk: o.chunk as number | undefined };
}

/**
 * Firmware for the nodes: the owner publishes an image and offers it to
 * nodes (POST /v1/firmware, admin) and lists what is published (GET
 * /v1/firmware, read); a node fetches the image it was offered in chunks
 * (POST /v1/firmware/chunk). That route is open the way /v1/downlink is:
 * the request is signed by the node's key and checked against the key it
 * enrolled with, and answered only while the node has an open offer of that
 * image (its command queued or delivered, not yet settled).
 */
export function firmwareRoutes(ctx: FirmwareContext): Routes {
  const by = (req: IncomingMessage) => {
    const c = ctx.access.callerOf(req);
    if (!c) throw new Error('a firmware change reached its handler without a caller');
    return { token: c.token.id, name: c.token.name, via: c.via };
  };

  const publish: Handler = async (req, res) => {
    requireType(req, ['application/json']);
    const b = publishBody(parseJsonBody(await readBody(req, PUBLISH_LIMIT)));
    let bytes: Uint8Array;
    try {
      bytes = fromBase64url(b.image.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    } catch {
      throw new HttpError(400, 'bad-request', 'image must be the image bytes in base64', { path: '/image' });
    }
    const names = ctx.cartridge.nodeNames();
    const nodes = b.nodes.map((ref) => resolveNodeRef(ref, () => names));
    const r = publishFirmware(
      { cartridge: ctx.cartridge, hubLog: ctx.hubLog(), hubKey: ctx.hubKey, crypto: ctx.crypto, now: Math.floor(ctx.clock()) },
      { board: b.board, version: b.version, bytes, nodes, chunk: b.chunk, by: by(req) },
    );
    sendJson(res, r.existed && r.offers.length === 0 ? 200 : 201, r);
  };

  const list: Handler = (_req, res) => {
    const images = ctx.cartridge.firmware.list().map((i) => ({ ...i, offers: ctx.cartridge.firmware.offers(i.sha256) }));
    sendJson(res, 200, { images });
  };

  const chunk: Handler = async (req, res) => {
    requireType(req, ['application/cbor']);
    const r = chunkRequestFromCbor(await readBody(req, CHUNK_REQUEST_LIMIT));
    const node = ctx.cartridge.nodeKey(r.node);
    if (!node) throw new StoreError('unknown-node', `node ${r.node} is not enrolled on this hub`);
    if (node.revoked) throw new StoreError('node-revoked', `node ${r.node}'s key was revoked by the owner`);
    if (!verifyChunkRequest(r, node.publicKey, ctx.crypto))
      throw new VerifyError('bad-signature', `the chunk request does not verify against the key node ${r.node} enrolled with`);
    const sha = toHex(r.image);
    const size = ctx.cartridge.firmware.openOffer(r.node, sha);
    if (size === undefined) throw new StoreError('not-offered', `the hub has no open offer of image ${sha} to node ${r.node}`);
    const bytes = ctx.cartridge.firmware.chunk(r.image, r.n, size);
    if (!bytes) throw new HttpError(404, 'no-chunk', `image ${sha} has no chunk ${r.n}`);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length), 'cache-control': 'no-store' });
    res.end(bytes);
  };

  return {
    '/v1/firmware': { GET: route('read', list), POST: route('admin', publish) },
    // Open, yet authenticated: signed by the node's own key, answered only for an image offered to that node.
    '/v1/firmware/chunk': { POST: route('open', chunk) },
  };
}
