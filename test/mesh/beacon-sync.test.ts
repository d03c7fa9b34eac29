/**
 * A peer paired without a URL (by words or sound) is synced too: found by
 * its key among verified beacon records (host/mesh/resolve-peer-url.ts).
 * B's beacon runs on loopback only (the firmware's SSDP endpoint, multicast
 * on 127.0.0.1, a random high SSDP port), as in pair-beacon.test.ts, so
 * nothing leaves this machine.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BeaconEndpoint, type BeaconEndpointOptions } from '../../firmware/beacon/ssdp-endpoint.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import { loadOrCreateHubKey } from '../../host/hub/hub-key.js';
import { MeshHub } from '../../host/mesh/mesh-hub.js';
import { type BeaconSearch, resolvePeerUrl } from '../../host/mesh/resolve-peer-url.js';
import { realTime } from '../beacon/real-time.js';
import { TestNode } from '../hub/helpers.js';
import { chainDigest, crypto, startPair } from './helpers.js';

const GROUP = '239.255.255.250';
const ssdpPort = 20_000 + Math.floor(Math.random() * 12_000);
const time = realTime();
const sockets: LinuxUdp[] = [];
const endpoints: BeaconEndpoint[] = [];
const udp: BeaconEndpointOptions['udp'] = (o) => {
  const s = new LinuxUdp(o, { interfaces: ['127.0.0.1'] });
  sockets.push(s);
  return {
    get port() {
      return s.port;
    },
    read: () => s.read(),
    write: (b, a, p) => s.write(b, a, p),
    close: () => s.close(),
  };
};
const search: BeaconSearch = ({ timeoutMs, until }) =>
  new Promise((ok) => {
    const e = new BeaconEndpoint({ udp, time, crypto, group: GROUP, port: ssdpPort });
    endpoints.push(e);
    e.start();
    e.search(timeoutMs, (peers) => ok({ peers }), until);
  });
const entropy = (n: number) => new Uint8Array(randomBytes(n));

describe('sync with a paired hub that has no url', () => {
  let p: Awaited<ReturnType<typeof startPair>>;
  const node = new TestNode(91);
  before(async () => {
    p = await startPair({ log: () => {} });
    for (const [h, other] of [
      [p.a, p.b],
      [p.b, p.a],
    ] as const) {
      h.hub.mesh.store.peers.setUrl(other.hub.mesh.id, undefined); // paired by words: no url
      h.hub.cartridge.addNode(node.identity.publicKey);
    }
    node.append(12);
    p.b.hub.cartridge.ingestBatch(node.batch(1, 12));
    const bKey = loadOrCreateHubKey(p.b.hub.cartridge, p.b.dir, crypto, entropy);
    const fields = { kind: 'hub' as const, name: 'b', board: 'host', version: '0.1.0', services: ['uplink', 'mesh'], addresses: ['127.0.0.1'] };
    const e = new BeaconEndpoint({
      udp,
      time,
      crypto,
      group: GROUP,
      port: ssdpPort,
      self: { identity: bKey, fields: { ...fields, port: Number(new URL(p.b.url).port) } },
    });
    endpoints.push(e);
    e.start();
  });
  after(async () => {
    for (const e of endpoints) e.stop();
    for (const s of sockets) s.close();
    time.dispose();
    await p.stop();
  });

  it('is no longer skipped: without a beacon to find it by, its round says unreachable, naming it', async () => {
    const { a, b } = p;
    const outcomes = await a.hub.mesh.syncNow();
    assert.equal(outcomes.length, 1);
    const [o] = outcomes;
    assert.ok('error' in o, JSON.stringify(o));
    assert.equal(o.error.code, 'unreachable');
    assert.match(o.error.message, new RegExp(`${b.hub.mesh.id}.*no beacon`));
    assert.ok('last' in (a.hub.mesh.status().peers[0] ?? {}), 'the outcome is kept for status');
  });

  it('found by its key among the beacons, its round pulls what it holds', async () => {
    const { a, b } = p;
    const mesh = new MeshHub({
      cartridge: a.hub.cartridge,
      crypto,
      clock: () => Date.now(),
      self: loadOrCreateHubKey(a.hub.cartridge, a.dir, crypto, entropy),
      locate: (peer) => resolvePeerUrl(peer, { crypto, search, timeoutMs: 5000 }),
    });
    assert.equal(mesh.store.peers.get(b.hub.mesh.id)?.url, undefined);
    const [o] = await mesh.syncNow();
    assert.ok('figures' in o, JSON.stringify(o));
    assert.deepStrictEqual(o.figures.errors, []);
    assert.equal(a.hub.cartridge.head(node.id)?.seq, 12);
    assert.equal(chainDigest(a.hub, node.id), chainDigest(b.hub, node.id));
  });
});
