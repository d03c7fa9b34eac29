/**
 * The firmware's SSDP endpoint on real sockets (hal/linux/linux-udp.ts), all
 * on the loopback: multicast is joined and sent on 127.0.0.1 only, and the
 * SSDP port is a random high one, so nothing leaves this machine and nothing
 * else on port 1900 is disturbed. node-ssdp 4.0.1 (what the hub runs) cannot
 * be confined to the loopback by its options (it skips internal
 * interfaces), so its sockets are made here and handed to it.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, describe, it } from 'node:test';
import ssdp, { type Client, type Server, type SsdpHeaders } from 'node-ssdp';
import { BEACON_SEARCH_TARGET, signBeacon, verifyBeacon } from '../../firmware/beacon/beacon-record.js';
import type { BeaconPeer, PeerChange } from '../../firmware/beacon/peer-table.js';
import { BeaconEndpoint, type BeaconEndpointOptions } from '../../firmware/beacon/ssdp-endpoint.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { realTime } from './real-time.js';
import { until } from '../helpers/wait.js';

const crypto = nodeCrypto;
const GROUP = '239.255.255.250';
const LOOPBACK = ['127.0.0.1'];
const identity = (n: number) => identityFromSecretKey(new Uint8Array(32).fill(n), crypto);
const fields = (name: string) => ({
  kind: 'hub' as const,
  name,
  board: 'pi',
  version: '0.1.0',
  services: ['uplink', 'enroll'],
  addresses: ['127.0.0.1'],
  port: 7070,
});
const randomPort = (): number => 20_000 + Math.floor(Math.random() * 12_000);
const sockets: LinuxUdp[] = [];
/** LinuxUdp as the endpoint's network (its close() still sends what was written before it). */
const udp: BeaconEndpointOptions['udp'] = (o) => {
  const s = new LinuxUdp(o, { interfaces: LOOPBACK });
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
const time = realTime();
const cleanup: (() => void)[] = [];

function endpoint(port: number, o: Partial<BeaconEndpointOptions> = {}): BeaconEndpoint {
  const e = new BeaconEndpoint({ udp, time, crypto, group: GROUP, port, ...o });
  cleanup.push(() => e.stop());
  return e;
}

/** A socket for node-ssdp that joins and sends multicast on the loopback only. */
function loopbackSocket(): dgram.Socket {
  const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  s.once('listening', () => s.setMulticastInterface('127.0.0.1'));
  return s;
}

interface NodeSsdpInternals {
  sockets: Record<string, dgram.Socket> | null;
  _initAdLoop: () => void;
  _startAdLoop: () => void;
}

function nodeSsdpServer(port: number, headers: Record<string, string>): Server {
  const server = new ssdp.Server({
    ssdpPort: port,
    sourcePort: port,
    headers,
    location: 'http://127.0.0.1:7070/v1/beacon',
    udn: 'uuid:fazt-test',
    adInterval: 600_000,
    suppressRootDeviceAdvertisements: true,
    customLogger: () => undefined,
  });
  const internals = server as unknown as NodeSsdpInternals;
  internals.sockets = { '127.0.0.1': loopbackSocket() };
  internals._initAdLoop = () => internals._startAdLoop(); // no 3 s first-announcement timer that stop() cannot clear
  server.addUSN(BEACON_SEARCH_TARGET);
  cleanup.push(() => {
    if (internals.sockets) server.stop();
  });
  return server;
}

function nodeSsdpClient(port: number, sourcePort: number): Client {
  const client = new ssdp.Client({ ssdpPort: port, sourcePort, customLogger: () => undefined });
  const internals = client as unknown as NodeSsdpInternals;
  internals.sockets = { '127.0.0.1': loopbackSocket() };
  cleanup.push(() => {
    if (internals.sockets) client.stop();
  });
  return client;
}

describe('SSDP on loopback sockets', () => {
  after(() => {
    for (const c of cleanup.splice(0).reverse()) c();
    for (const s of sockets) s.close();
    time.dispose();
  });

  it('our endpoint finds our endpoint (multicast search, unicast answer), and a byebye forgets it', async () => {
    const port = randomPort();
    const hub = endpoint(port, { self: { identity: identity(2), fields: fields('hub2') } });
    hub.start();
    const changes: [string, PeerChange][] = [];
    const node = endpoint(port, { expectKey: identity(2).publicKey, onPeer: (p, c) => changes.push([p.record.name, c]) });
    node.start();
    let found: BeaconPeer[] | undefined;
    node.search(
      1500,
      (p) => (found = p),
      (p) => p.length > 0,
    );
    const peers = await until(() => found, 'search answer');
    assert.deepEqual(
      peers.map((p) => [p.record.name, p.address, p.url]),
      [['hub2', '127.0.0.1', 'http://127.0.0.1:7070']],
    );
    hub.stop();
    await until(() => changes.find((c) => c[1] === 'left'), 'byebye');
    assert.deepEqual(node.peers(), []);
  });

  it("node-ssdp's Server (the hub's) answers our M-SEARCH; its alive and byebye NOTIFYs verify here", async () => {
    const port = randomPort();
    const { headers } = signBeacon({ ...fields('nodessdp-hub'), issued: Date.now() }, identity(3), crypto);
    const server = nodeSsdpServer(port, headers);
    await server.start();
    const changes: [string, PeerChange][] = [];
    const refused: string[] = [];
    const node = endpoint(port, {
      expectKey: identity(3).publicKey,
      onPeer: (p, c) => changes.push([p.record.name, c]),
      onRefused: (e) => refused.push(e.code),
    });
    node.start();
    let found: BeaconPeer[] | undefined;
    node.search(
      1500,
      (p) => (found = p),
      (p) => p.length > 0,
    );
    const peers = await until(() => found, "node-ssdp's answer");
    assert.equal(peers[0].record.id, identity(3).id);
    assert.equal(peers[0].address, '127.0.0.1');
    // As the hub's beacon does (host/beacon/hub-beacon.ts): a newly signed record in node-ssdp's header object before each announcement.
    Object.assign(headers, signBeacon({ ...fields('nodessdp-hub'), issued: Date.now() + 1 }, identity(3), crypto).headers);
    server.advertise(); // alive
    await until(() => (changes.filter((c) => c[1] === 'updated').length ? true : undefined), 'alive heard');
    Object.assign(headers, signBeacon({ ...fields('nodessdp-hub'), issued: Date.now() + 2 }, identity(3), crypto, 'bye').headers);
    server.advertise(false); // byebye: node-ssdp puts the extra (FAZT) headers on it too
    await until(() => changes.find((c) => c[1] === 'left'), 'byebye heard');
    assert.deepEqual(refused, []);
  });

  it("node-ssdp's Client finds our endpoint and hears its alive; the headers it parsed verify", async () => {
    const port = randomPort();
    const hub = endpoint(port, { self: { identity: identity(4), fields: fields('ours') } });
    const searcher = nodeSsdpClient(port, 0);
    const listener = nodeSsdpClient(port, port);
    const answers: { headers: SsdpHeaders; address: string; status: number }[] = [];
    const alive: { headers: SsdpHeaders; address: string }[] = [];
    searcher.on('response', (headers, status, rinfo) => answers.push({ headers, address: rinfo.address, status }));
    listener.on('advertise-alive', (headers, rinfo) => alive.push({ headers, address: rinfo.address }));
    await searcher.start();
    await listener.start();
    hub.start(); // announces at once
    searcher.search(BEACON_SEARCH_TARGET);
    const a = await until(() => answers[0], 'our answer, read by node-ssdp');
    assert.equal(a.status, 200);
    assert.equal(a.headers.ST, BEACON_SEARCH_TARGET);
    assert.equal(verifyBeacon(a.headers, a.address, crypto, identity(4).publicKey).name, 'ours');
    const n = await until(() => alive.find((x) => x.headers.NT === BEACON_SEARCH_TARGET), 'our alive, read by node-ssdp');
    assert.equal(n.headers.NTS, 'ssdp:alive');
    assert.equal(verifyBeacon(n.headers, n.address, crypto).id, identity(4).id);
  });
});
