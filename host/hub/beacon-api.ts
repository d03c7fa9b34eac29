import type { BeaconRecord } from '../../firmware/beacon/beacon-record.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { HubBeacon } from '../beacon/hub-beacon.js';
import type { Cartridge } from '../store/cartridge.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, route } from './route.js';

/** A beacon record as JSON (the key in hex). */
function recordJson(r: BeaconRecord): Record<string, unknown> {
  return { ...r, key: toHex(r.key) };
}

function peerJson(p: ReturnType<HubBeacon['peers']>[number]): Record<string, unknown> {
  return { ...recordJson(p.record), address: p.address, url: p.url, firstSeen: p.firstSeen, lastSeen: p.lastSeen };
}

/** GET /v1/beacon (open): what the hub announces on the LAN and the peers it hears, or the cached peers when the beacon is off. */
export function beaconRoutes(ctx: { cartridge: Cartridge; beacon: () => HubBeacon | undefined }): Routes {
  const beacon: Handler = (_req, res) => {
    const b = ctx.beacon();
    if (!b) return sendJson(res, 200, { enabled: false, cached: ctx.cartridge.peers.list() });
    const s = b.status();
    sendJson(res, 200, {
      enabled: true,
      record: recordJson(s.record),
      announceMs: s.announceMs,
      forgetMs: s.forgetMs,
      announcements: s.announcements,
      refused: s.refused,
      peers: s.peers.map(peerJson),
      cached: ctx.cartridge.peers.list(),
    });
  };
  return { '/v1/beacon': { GET: route('open', beacon) } };
}
