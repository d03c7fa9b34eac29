/**
 * Finding a paired hub (or the inviting one) by Beacon: the firmware's SSDP
 * endpoint on real loopback sockets stands for the LAN, as in
 * test/beacon/ssdp-loopback.test.ts (multicast joined and sent on 127.0.0.1
 * only, a random high SSDP port), so nothing leaves this machine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BeaconEndpoint, type BeaconEndpointOptions } from '../../firmware/beacon/ssdp-endpoint.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import { randomBytes } from 'node:crypto';
import { loadOrCreateHubKey } from '../../host/hub/hub-key.js';
import { acceptPairInvite } from '../../host/mesh/pair-accept.js';
import { pairInviteFromWords } from '../../host/mesh/pair-token.js';
import { resolvePeerUrl, type BeaconSearch } from '../../host/mesh/resolve-peer-url.js';
import { realTime } from '../beacon/real-time.js';
import { crypto, startHub } from '../hub/helpers.js';
import { makeInvite, peersOf, type RunningHub } from './pair-helpers.js';

const GROUP = '239.255.255.250';
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
const ssdpPort = 20_000 + Math.floor(Math.random() * 12_000);

/** A hub's beacon on the loopback LAN, announcing `identity` at the API port `port`. */
function announce(identity: NodeIdentity, name: string, port: number): void {
  const fields = { kind: 'hub' as const, name, board: 'host', version: '0.1.0', services: ['uplink'], addresses: ['127.0.0.1'], port };
  const e = new BeaconEndpoint({ udp, time, crypto, group: GROUP, port: ssdpPort, self: { identity, fields } });
  endpoints.push(e);
  e.start();
}

/** A Beacon search from a fresh endpoint on the loopback LAN (scanBeacons' shape). */
const search: BeaconSearch = ({ timeoutMs, until }) =>
  new Promise((ok) => {
    const e = new BeaconEndpoint({ udp, time, crypto, group: GROUP, port: ssdpPort });
    endpoints.push(e);
    e.start();
    e.search(timeoutMs, (peers) => ok({ peers }), until);
  });

describe('finding hubs by Beacon', () => {
  let a: RunningHub;
  const decoy = identityFromSecretKey(new Uint8Array(32).fill(0x5d), crypto);
  before(async () => {
    a = await startHub();
    const key = loadOrCreateHubKey(a.hub.cartridge, a.dir, crypto, (n) => new Uint8Array(randomBytes(n)));
    announce(key, 'a', Number(new URL(a.url).port));
    announce(decoy, 'decoy', 1);
  });
  after(async () => {
    for (const e of endpoints) e.stop();
    for (const s of sockets) s.close();
    time.dispose();
    await a.stop();
  });

  it("resolvePeerUrl: a peer's stored URL, without a search", async () => {
    const url = await resolvePeerUrl({ hub: 'x', publicKey: decoy.publicKey, url: 'http://10.9.8.7:7070' }, { crypto, search: () => assert.fail('no search') });
    assert.equal(url, 'http://10.9.8.7:7070');
  });

  it('resolvePeerUrl: a peer without a URL is found by its key among the beacons', async () => {
    const url = await resolvePeerUrl({ hub: a.hub.hubLog.id, publicKey: a.hub.publicKey }, { crypto, search, timeoutMs: 5000 });
    assert.equal(url, a.url);
  });

  it('resolvePeerUrl: what the running beacon already heard is used first', async () => {
    const heard = await search({ timeoutMs: 5000, until: (p) => p.length >= 2 });
    const url = await resolvePeerUrl({ hub: 'd', publicKey: decoy.publicKey }, { crypto, heard: () => heard.peers, search: () => assert.fail('no search') });
    assert.equal(url, 'http://127.0.0.1:1');
  });

  it('resolvePeerUrl: no beacon carries the key → unreachable, naming the peer', async () => {
    const stranger = identityFromSecretKey(new Uint8Array(32).fill(0x77), crypto);
    await assert.rejects(resolvePeerUrl({ hub: stranger.id, publicKey: stranger.publicKey }, { crypto, search, timeoutMs: 300 }), {
      code: 'unreachable',
      message: new RegExp(stranger.id),
    });
  });

  it('words without a URL: the inviting hub is found by the fingerprint they carry, and the pairing completes', async () => {
    const inv = await makeInvite(a);
    const bob = identityFromSecretKey(new Uint8Array(32).fill(0x42), crypto);
    const entropy = (n: number) => new Uint8Array(randomBytes(n));
    const peer = await acceptPairInvite(pairInviteFromWords(inv.words.join(' ')), { self: bob, crypto, entropy, find: { crypto, search, timeoutMs: 5000 } });
    assert.equal(peer.url, a.url);
    assert.deepEqual(
      (await peersOf(a)).map((p) => p.hub),
      [bob.id],
    );
  });
});
