import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { FIRMWARE_VERSION } from '../../firmware/node/node-app.js';
import { HubBeacon } from '../beacon/hub-beacon.js';
import type { PeerCache } from '../store/peer-cache.js';

/** HubOptions.beacon: what the hub announces on the LAN and how often. */
export interface LanBeaconOptions {
  name?: string;
  board?: string;
  announceMs?: number;
  forgetMs?: number;
  ssdpPort?: number;
  interfaces?: string[];
}

/** The hub's LAN beacon as HubOptions.beacon asks for it: announcing the hub's API port and services, peers cached in the cartridge. */
export function lanBeacon(
  b: LanBeaconOptions,
  o: { identity: NodeIdentity; crypto: CryptoProvider; clock: () => number; apiPort: number; cache: PeerCache; log: (record: Record<string, unknown>) => void },
): HubBeacon {
  return new HubBeacon({
    identity: o.identity,
    crypto: o.crypto,
    clock: o.clock,
    apiPort: o.apiPort,
    name: b.name ?? 'hub',
    board: b.board ?? 'host',
    version: FIRMWARE_VERSION,
    // 'mesh': a hub that answers paired hubs' sync (fazt beacon scan tells hubs that replicate apart).
    services: ['uplink', 'enroll', 'events', 'time', 'mesh'],
    announceMs: b.announceMs,
    forgetMs: b.forgetMs,
    ssdpPort: b.ssdpPort,
    interfaces: b.interfaces,
    cache: o.cache,
    onPeer: (peer, change) => o.log({ level: 'info', code: `beacon-${change}`, peer: peer.record.id, name: peer.record.name, address: peer.address }),
    onRefused: (e, address) => o.log({ level: 'warn', code: e.code, address, message: e.message }),
  });
}
