import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEACON_SEARCH_TARGET, BeaconError, signBeacon } from '../../firmware/beacon/beacon-record.js';
import type { BeaconPeer, PeerChange } from '../../firmware/beacon/peer-table.js';
import { BeaconEndpoint, type BeaconEndpointOptions } from '../../firmware/beacon/ssdp-endpoint.js';
import { buildNotify, buildResponse, SsdpError } from '../../firmware/beacon/ssdp-message.js';
import type { FaztError } from '../../hal/contracts/errors.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { FakeLan } from './fake-lan.js';

const crypto = nodeCrypto;
const identity = (n: number): NodeIdentity => identityFromSecretKey(new Uint8Array(32).fill(n), crypto);
const fields = (kind: 'hub' | 'node', address: string, name: string = kind) => ({
  kind,
  name,
  board: 'pi',
  version: '0.1.0',
  services: ['uplink', 'enroll'],
  addresses: [address],
  port: 7070,
});

/** A LAN on a virtual clock, and endpoints on it that a test stops at the end. */
function world() {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const lan = new FakeLan(clock);
  const endpoints: BeaconEndpoint[] = [];
  const refused: { error: FaztError; address: string }[] = [];
  const changes: [string, PeerChange][] = [];
  const endpoint = (address: string, o: Partial<BeaconEndpointOptions> = {}): BeaconEndpoint => {
    const e = new BeaconEndpoint({ udp: lan.host(address), time: clock, crypto, onRefused: (error, a) => refused.push({ error, address: a }), ...o });
    endpoints.push(e);
    return e;
  };
  const hub = (address: string, key: number, o: Partial<BeaconEndpointOptions> = {}): BeaconEndpoint => {
    const e = endpoint(address, { self: { identity: identity(key), fields: fields('hub', address, `hub${key}`) }, ...o });
    e.start();
    return e;
  };
  /** A node's endpoint that records its peer changes. */
  const node = (address: string, o: Partial<BeaconEndpointOptions> = {}): BeaconEndpoint =>
    endpoint(address, { onPeer: (p, c) => changes.push([p.record.name, c]), ...o });
  const search = (e: BeaconEndpoint, windowMs: number, until?: (p: BeaconPeer[]) => boolean): { result?: BeaconPeer[]; at?: number } => {
    const out: { result?: BeaconPeer[]; at?: number } = {};
    e.search(windowMs, (peers) => Object.assign(out, { result: peers, at: clock.now() }), until);
    return out;
  };
  const stopAll = (): void => {
    for (const e of endpoints) e.stop();
    assert.equal(lan.open, 0, 'every socket closed');
  };
  return { clock, lan, endpoint, hub, node, search, refused, changes, stopAll };
}

const names = (peers: BeaconPeer[] | undefined): string[] => (peers ?? []).map((p) => p.record.name).sort();

describe('BeaconEndpoint on a fake LAN', () => {
  it('a search finds both hubs within the window, from their signed answers', () => {
    const w = world();
    w.hub('10.0.0.2', 2);
    w.hub('10.0.0.3', 3);
    const n = w.node('10.0.0.10');
    const s = w.search(n, 2000);
    const t0 = w.clock.now();
    w.clock.runFor(1999);
    assert.equal(s.at, undefined, 'not before the window ends');
    w.clock.runFor(1);
    assert.deepEqual(names(s.result), ['hub2', 'hub3']);
    assert.equal(s.at, t0 + 2000);
    const p = (s.result ?? []).find((x) => x.record.name === 'hub2') as BeaconPeer;
    assert.equal(p.address, '10.0.0.2');
    assert.equal(p.url, 'http://10.0.0.2:7070');
    assert.equal(p.record.id, identity(2).id);
    assert.deepEqual(names(n.peers()), ['hub2', 'hub3']);
    const mx = w.lan.log.find((d) => d.text.startsWith('M-SEARCH'));
    assert.match(mx?.text ?? '', /\r\nMX: 2\r\nST: urn:fazt-dev:service:beacon:1\r\n/);
    assert.equal(w.lan.log.filter((d) => d.text.startsWith('M-SEARCH')).length, 2, 'sent twice');
    assert.deepEqual(w.refused, []);
    w.stopAll();
  });

  it('an answer lost once is heard from the second M-SEARCH', () => {
    const w = world();
    w.hub('10.0.0.2', 2);
    let lost = 0;
    w.lan.drop = (d) => d.text.startsWith('HTTP/1.1 200') && lost++ === 0;
    const s = w.search(w.node('10.0.0.10'), 1000);
    w.clock.runFor(1000);
    assert.equal(lost, 2);
    assert.deepEqual(names(s.result), ['hub2']);
    w.stopAll();
  });

  it('`until` ends the search as soon as it has what it needs', () => {
    const w = world();
    w.hub('10.0.0.2', 2);
    const t0 = w.clock.now();
    const s = w.search(w.node('10.0.0.10'), 5000, (peers) => peers.length >= 1);
    w.clock.runFor(50);
    assert.deepEqual(names(s.result), ['hub2']);
    assert.ok((s.at as number) - t0 < 10);
    w.stopAll();
  });

  it('expectKey keeps only the expected hub; the other is refused with beacon-unexpected-key', () => {
    const w = world();
    w.hub('10.0.0.2', 2);
    w.hub('10.0.0.3', 3);
    const s = w.search(w.node('10.0.0.10', { expectKey: identity(3).publicKey }), 1000);
    w.clock.runFor(1000);
    assert.deepEqual(names(s.result), ['hub3']);
    assert.ok(
      w.refused.length > 0 && w.refused.every((r) => r.error instanceof BeaconError && r.error.code === 'beacon-unexpected-key' && r.address === '10.0.0.2'),
    );
    w.stopAll();
  });

  it('kinds filters what is recorded, silently', () => {
    const w = world();
    w.hub('10.0.0.2', 2);
    w.endpoint('10.0.0.4', { self: { identity: identity(4), fields: fields('node', '10.0.0.4', 'node4') } }).start();
    const n = w.node('10.0.0.10', { kinds: ['node'] });
    const s = w.search(n, 1000);
    w.clock.runFor(1000);
    assert.deepEqual(names(s.result), ['node4']);
    assert.ok(n.stats.ignored >= 2);
    assert.deepEqual(w.refused, []);
    w.stopAll();
  });

  it('refuses a forged record (bad signature), a copied one (wrong source address) and garbage, recording nothing', () => {
    const w = world();
    const n = w.node('10.0.0.10');
    n.start();
    const rogue = w.lan.host('10.0.0.66')({ port: 0 });
    const real = signBeacon({ ...fields('hub', '10.0.0.2', 'hub2'), issued: w.clock.now() }, identity(2), crypto).headers;
    const notify = (headers: Record<string, string>) => buildNotify({ nts: 'ssdp:alive', nt: BEACON_SEARCH_TARGET, usn: 'uuid:x', headers });
    // A record naming the rogue's own address, its signature then tampered with.
    const own = signBeacon({ ...fields('hub', '10.0.0.66', 'rogue'), issued: w.clock.now() }, identity(6), crypto).headers;
    const sig = own['FAZT-SIG'];
    rogue.write(notify({ ...own, 'FAZT-SIG': (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1) }), '239.255.255.250', 1900);
    rogue.write(notify(real), '239.255.255.250', 1900); // hub2's genuine record, replayed from elsewhere
    rogue.write(new TextEncoder().encode('NOTIFY * HTTP/1.1\r\nthis is not a header\r\n\r\n'), '239.255.255.250', 1900);
    w.clock.runFor(10);
    assert.deepEqual(
      w.refused.map((r) => [r.error.name, r.error.code, r.address]),
      [
        ['BeaconError', 'beacon-bad-signature', '10.0.0.66'],
        ['BeaconError', 'beacon-address-mismatch', '10.0.0.66'],
        ['SsdpError', 'ssdp-malformed', '10.0.0.66'],
      ],
    );
    assert.ok(w.refused[2].error instanceof SsdpError);
    assert.deepEqual(n.peers(), []);
    assert.equal(n.stats.refused, 3);
    rogue.close();
    w.stopAll();
  });

  it('ignores other UPnP devices silently: another target, or ours without Fazt headers', () => {
    const w = world();
    const n = w.node('10.0.0.10');
    n.start();
    const tv = w.lan.host('10.0.0.77')({ port: 0 });
    tv.write(
      buildNotify({ nts: 'ssdp:alive', nt: 'urn:schemas-upnp-org:device:MediaRenderer:1', usn: 'uuid:tv', location: 'http://10.0.0.77:1400/xml' }),
      '239.255.255.250',
      1900,
    );
    tv.write(buildNotify({ nts: 'ssdp:alive', nt: BEACON_SEARCH_TARGET, usn: 'uuid:tv' }), '239.255.255.250', 1900);
    w.clock.runFor(10);
    assert.deepEqual(w.refused, []);
    assert.equal(n.stats.ignored, 2);
    assert.deepEqual(n.peers(), []);
    tv.close();
    w.stopAll();
  });

  it('hears alive announcements every announceMs, and a byebye forgets the peer', () => {
    const w = world();
    const n = w.node('10.0.0.10');
    n.start();
    const h = w.hub('10.0.0.2', 2, { announceMs: 30_000 });
    w.clock.runFor(10);
    assert.deepEqual(w.changes, [['hub2', 'found']]);
    w.clock.runFor(60_000);
    assert.deepEqual(
      w.changes.map((c) => c[1]),
      ['found', 'updated', 'updated'],
    );
    assert.equal(h.stats.announced, 3);
    h.stop();
    w.clock.runFor(10);
    assert.deepEqual(w.changes.at(-1), ['hub2', 'left']);
    assert.deepEqual(n.peers(), []);
    const bye = w.lan.log.find((d) => d.text.includes('NTS: ssdp:byebye'));
    assert.match(bye?.text ?? '', /FAZT-BEACON: .*\r\nFAZT-SIG: /, 'the byebye is signed');
    w.stopAll();
  });

  it('a byebye that does not verify does not forget the peer, nor does an old one replayed after a newer alive', () => {
    const w = world();
    const n = w.node('10.0.0.10');
    n.start();
    const h = w.hub('10.0.0.2', 2);
    w.clock.runFor(10);
    // A byebye signed by someone else, claiming hub2's id through its record, from hub2's address.
    const spoof = w.lan.host('10.0.0.2')({ port: 0 });
    const forged = signBeacon({ ...fields('hub', '10.0.0.2', 'hub2'), issued: w.clock.now() }, identity(9), crypto).headers;
    spoof.write(
      buildNotify({
        nts: 'ssdp:byebye',
        nt: BEACON_SEARCH_TARGET,
        usn: 'u',
        headers: { ...forged, 'FAZT-SIG': signBeacon({ ...fields('hub', '10.0.0.2'), issued: 1 }, identity(9), crypto).headers['FAZT-SIG'] },
      }),
      '239.255.255.250',
      1900,
    );
    // An old byebye of hub2's own, recorded earlier and replayed now.
    const old = signBeacon({ ...fields('hub', '10.0.0.2', 'hub2'), issued: w.clock.now() - 60_000 }, identity(2), crypto, 'bye').headers;
    spoof.write(buildNotify({ nts: 'ssdp:byebye', nt: BEACON_SEARCH_TARGET, usn: 'u', headers: old }), '239.255.255.250', 1900);
    // hub2's genuine, current alive record, captured and sent back as a byebye.
    const captured = signBeacon({ ...fields('hub', '10.0.0.2', 'hub2'), issued: w.clock.now() + 1 }, identity(2), crypto).headers;
    spoof.write(buildNotify({ nts: 'ssdp:byebye', nt: BEACON_SEARCH_TARGET, usn: 'u', headers: captured }), '239.255.255.250', 1900);
    w.clock.runFor(10);
    assert.deepEqual(names(n.peers()), ['hub2']);
    assert.equal(n.stats.refused, 2);
    assert.deepEqual(
      [...new Set(w.refused.map((r) => r.error.code))],
      ['beacon-bad-signature', 'beacon-state-mismatch'],
      'the hub hears them too: the same two refusals',
    );
    assert.equal(n.stats.stale, 1);
    spoof.close();
    h.stop();
    w.stopAll();
  });

  it('forgets a peer silent for longer than forgetMs, on its own timer', () => {
    const w = world();
    const n = w.node('10.0.0.10', { forgetMs: 300_000 });
    n.start();
    w.hub('10.0.0.2', 2);
    w.clock.runFor(10);
    assert.deepEqual(names(n.peers()), ['hub2']);
    w.lan.drop = (d) => d.from === '10.0.0.2'; // the hub falls silent (no byebye reaches us)
    const silentFrom = w.clock.now();
    w.clock.runFor(300_000 - 20);
    assert.ok(!w.changes.some((c) => c[1] === 'expired'), 'not yet');
    w.clock.runFor(60_000 + 20);
    assert.deepEqual(w.changes.at(-1), ['hub2', 'expired']);
    assert.ok(w.clock.now() - silentFrom <= 300_000 + 60_000 + 10);
    w.stopAll();
  });

  it('answers M-SEARCH for our target and for ssdp:all, unicast to the searcher; not for other targets', () => {
    const w = world();
    const h = w.hub('10.0.0.2', 2);
    const probe = w.lan.host('10.0.0.50')({ port: 0 });
    const got: string[] = [];
    for (const st of [BEACON_SEARCH_TARGET, 'ssdp:all', 'urn:schemas-upnp-org:device:MediaRenderer:1']) {
      probe.write(
        new TextEncoder().encode(`M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${st}\r\n\r\n`),
        '239.255.255.250',
        1900,
      );
    }
    w.clock.runFor(10);
    for (let d = probe.read(); d; d = probe.read()) got.push(Buffer.from(d.bytes).toString());
    assert.equal(got.length, 2);
    for (const g of got) {
      assert.match(g, /^HTTP\/1.1 200 OK\r\n/);
      assert.match(g, /\r\nST: urn:fazt-dev:service:beacon:1\r\n/);
      assert.match(g, /\r\nLOCATION: http:\/\/10.0.0.2:7070\/v1\/beacon\r\n/);
    }
    assert.equal(h.stats.answered, 2);
    probe.close();
    w.stopAll();
  });

  it('ignores its own packets (its announcement and its answer to its own search)', () => {
    const w = world();
    const h = w.hub('10.0.0.2', 2);
    const s = w.search(h, 1000);
    w.clock.runFor(1000);
    assert.deepEqual(s.result, []);
    assert.deepEqual(h.peers(), []);
    assert.deepEqual(w.refused, []);
    w.stopAll();
  });

  it('stop(): byebye once, sockets closed, timers cleared, a running search ends with what it had; twice is harmless', () => {
    const w = world();
    const h = w.hub('10.0.0.2', 2);
    const n = w.node('10.0.0.10');
    n.start();
    const s = w.search(n, 5000);
    w.clock.runFor(10);
    n.stop();
    assert.deepEqual(names(s.result), ['hub2']);
    h.stop();
    h.stop();
    n.stop();
    assert.equal(w.lan.log.filter((d) => d.text.includes('ssdp:byebye')).length, 1);
    w.clock.runFor(10); // deliveries in flight
    assert.equal(w.clock.nextDue(), undefined, 'no timer left behind');
    assert.equal(w.lan.open, 0);
    w.stopAll();
  });

  it('checks its options', () => {
    const w = world();
    assert.throws(() => w.endpoint('10.0.0.1', { port: 0 }), RangeError);
    assert.throws(() => w.endpoint('10.0.0.1', { announceMs: 10 }), RangeError);
    assert.throws(() => w.endpoint('10.0.0.1', { expectKey: new Uint8Array(3) }), TypeError);
    assert.throws(() => w.endpoint('10.0.0.1', { kinds: ['cloud' as 'hub'] }), RangeError);
    assert.throws(() => w.node('10.0.0.1').search(10, () => undefined), RangeError);
  });

  it("an answer to someone else's search (a 200 OK arriving on the SSDP port) is recorded like an alive", () => {
    const w = world();
    const n = w.node('10.0.0.10');
    n.start();
    const hub = w.lan.host('10.0.0.2')({ port: 0 });
    const headers = signBeacon({ ...fields('hub', '10.0.0.2', 'hub2'), issued: w.clock.now() }, identity(2), crypto).headers;
    hub.write(buildResponse({ st: BEACON_SEARCH_TARGET, usn: 'u', headers }), '10.0.0.10', 1900);
    w.clock.runFor(10);
    assert.deepEqual(names(n.peers()), ['hub2']);
    hub.close();
    w.stopAll();
  });
});
