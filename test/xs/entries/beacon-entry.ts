/**
 * The firmware's SSDP endpoint inside XS: its sockets are the simulated
 * board's (bridged to real ones on the host), its time is GuestTime, its
 * crypto the portable noble one. The host paces it with run(until).
 */
import type { BeaconPeer } from '../../../firmware/beacon/peer-table.js';
import { BeaconEndpoint } from '../../../firmware/beacon/ssdp-endpoint.js';
import { fromHex } from '../../../firmware/codec/text-encodings.js';
import { nobleCrypto } from '../../../firmware/crypto/noble-crypto.js';
import { identityFromSecretKey } from '../../../firmware/identity/node-id.js';
import { GuestTime } from '../../../hal/sim/guest-time.js';
import { HostCallBackend, type HostReply } from '../../../hal/sim/host-call.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { callHost, serveCommands } from '../../../sim/xs/xs-guest.js';

let endpoint: BeaconEndpoint | undefined;
let time: GuestTime | undefined;
let found: { name: string; id: string; address: string; url: string }[] | null = null;
const changes: string[] = [];
const refused: string[] = [];

const summary = (p: BeaconPeer) => ({ name: p.record.name, id: p.record.id, address: p.address, url: p.url });

function ready(): { endpoint: BeaconEndpoint; time: GuestTime } {
  if (!endpoint || !time) throw new Error('call init first');
  return { endpoint, time };
}

serveCommands({
  /** `self` (optional): a secret key (hex) and the record fields to announce. */
  init: (startMs: number, group: string, port: number, expectKeyHex: string | null, self: { secretKey: string; name: string; addresses: string[] } | null) => {
    const backend = new HostCallBackend((req) => callHost(req) as HostReply);
    time = new GuestTime(new VirtualClock(startMs), backend);
    endpoint = new BeaconEndpoint({
      udp: (o) => backend.udp(o),
      time,
      crypto: nobleCrypto,
      group,
      port,
      expectKey: expectKeyHex ? fromHex(expectKeyHex) : undefined,
      self: self
        ? {
            identity: identityFromSecretKey(fromHex(self.secretKey), nobleCrypto),
            fields: { kind: 'node', name: self.name, board: 'esp32-c3-devkitm-1', version: '0.1.0', services: [], addresses: self.addresses, port: 0 },
          }
        : undefined,
      onPeer: (p, c) => void changes.push(`${p.record.name} ${c}`),
      onRefused: (e) => void refused.push(e.code),
    });
    return 'ok';
  },
  start: () => void ready().endpoint.start(),
  /** Ends as soon as `expect` peers (default 1) have verified, or after windowMs. */
  search: (windowMs: number, expect?: number) => {
    found = null;
    ready().endpoint.search(
      windowMs,
      (peers) => (found = peers.map(summary)),
      (peers) => peers.length >= (expect ?? 1),
    );
  },
  run: (until: number) => {
    ready().time.runUntil(until);
    return { found, changes: changes.splice(0), refused: refused.splice(0), peers: ready().endpoint.peers().map(summary), stats: ready().endpoint.stats };
  },
  stop: () => void ready().endpoint.stop(),
});
