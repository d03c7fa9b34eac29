import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpReply } from '../../hal/contracts/http.js';
import { HubLink, type HubLinkEvent, type HubLinkOptions } from '../../firmware/beacon/hub-link.js';
import { BeaconEndpoint } from '../../firmware/beacon/ssdp-endpoint.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import type { UplinkResult } from '../../firmware/uplink/transport.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { FakeLan } from './fake-lan.js';

const crypto = nodeCrypto;
const identity = (n: number): NodeIdentity => identityFromSecretKey(new Uint8Array(32).fill(n), crypto);
const hubFields = (address: string, name: string) => ({
  kind: 'hub' as const,
  name,
  board: 'pi',
  version: '0.1.0',
  services: ['uplink', 'enroll'],
  addresses: [address],
  port: 7070,
});

/** A hub as the node sees it: a beacon on the fake LAN and an HTTP API answering after `latencyMs`. */
class FakeHub {
  beacon: BeaconEndpoint | undefined;
  up = true;
  enrolReply: (body: Record<string, string>) => { status: number; body: unknown } = (b) => ({
    status: 200,
    body: { node: `node-of-${b.publicKey.slice(0, 8)}`, hub: { id: this.id.id, publicKey: toHex(this.id.publicKey) } },
  });
  uplinkReply: () => { status: number; body: unknown } = () => ({ status: 200, body: { ack: ++this.acked, stored: 1 } });
  acked = 0;
  calls: string[] = [];
  constructor(
    readonly w: ReturnType<typeof world>,
    readonly address: string,
    readonly id: NodeIdentity,
  ) {}
  start(): this {
    this.beacon = new BeaconEndpoint({
      udp: this.w.lan.host(this.address),
      time: this.w.clock,
      crypto,
      self: { identity: this.id, fields: hubFields(this.address, `hub@${this.address}`) },
    });
    this.beacon.start();
    this.up = true;
    return this;
  }
  stop(): void {
    this.beacon?.stop();
    this.up = false;
  }
  serve(path: string, body: Uint8Array): HttpReply {
    this.calls.push(path);
    if (!this.up) return { error: `cannot reach ${this.address}: ECONNREFUSED` };
    const r = path === '/v1/enroll' ? this.enrolReply(JSON.parse(Buffer.from(body).toString()) as Record<string, string>) : this.uplinkReply();
    return { status: r.status, body: Buffer.from(JSON.stringify(r.body)) };
  }
}

function world() {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const lan = new FakeLan(clock);
  const hubs = new Map<string, FakeHub>();
  const events: HubLinkEvent[] = [];
  const http: HubLinkOptions['http'] = (url, _type, body, done) => {
    const m = /^http:\/\/([\d.]+):7070(\/.*)$/.exec(url);
    const hub = m ? hubs.get(m[1]) : undefined;
    const reply = hub ? hub.serve(m?.[2] ?? '', body) : { error: `cannot reach ${url}` };
    clock.setTimeout(() => done(reply), 5);
  };
  const w = {
    clock,
    lan,
    events,
    hub: (address: string, key: number): FakeHub => {
      const h = new FakeHub(w, address, identity(key));
      hubs.set(address, h);
      return h.start();
    },
    link: (o: Partial<HubLinkOptions> = {}): HubLink =>
      new HubLink({
        udp: lan.host('10.0.0.10'),
        time: clock,
        crypto,
        identity: identity(50),
        hubKey: identity(2).publicKey,
        http,
        enrol: { token: 'tok', name: 'n', board: 'esp32-c3-devkitm-1' },
        searchWindowMs: 1000,
        retryMs: 2000,
        onEvent: (e) => events.push(e),
        ...o,
      }),
    kinds: () => events.map((e) => e.event),
  };
  return w;
}

function offer(link: HubLink): { result?: UplinkResult } {
  const out: { result?: UplinkResult } = {};
  link.send(new Uint8Array([1, 2, 3]), (r) => (out.result = r));
  return out;
}

describe('HubLink: from no address to an enrolled, uplinking node', () => {
  it('searches, finds the hub with the invite key among others, enrols, then sends the batch that waited', () => {
    const w = world();
    const other = w.hub('10.0.0.3', 3);
    const hub = w.hub('10.0.0.2', 2);
    const link = w.link();
    const sent = offer(link); // before start: it waits for a hub
    link.start();
    w.clock.runFor(50);
    assert.equal(link.state, 'linked');
    assert.equal(link.url, 'http://10.0.0.2:7070');
    // The batch that waited is handed back (its wait was no round trip for the hub's clock); sent again, it is acknowledged.
    assert.deepEqual(sent.result, { ok: false, refused: false, message: 'found the hub at http://10.0.0.2:7070: send again', retryAfterMs: 0 });
    const again = offer(link);
    w.clock.runFor(10);
    assert.deepEqual(again.result, { ok: true, ack: { ack: 1, stored: 1 } });
    assert.deepEqual(
      w.kinds().filter((k) => k !== 'refused'),
      ['searching', 'found', 'enrolled', 'acked'],
    );
    assert.deepEqual(
      w.events.find((e) => e.event === 'found'),
      { event: 'found', hub: identity(2).id, url: 'http://10.0.0.2:7070' },
    );
    const refused = w.events.filter((e) => e.event === 'refused');
    assert.ok(refused.every((e) => e.event === 'refused' && e.code === 'beacon-unexpected-key' && e.address === '10.0.0.3'));
    assert.ok(refused.length <= 1, 'another hub is reported once');
    assert.deepEqual(hub.calls, ['/v1/enroll', '/v1/uplink']);
    assert.deepEqual(other.calls, []);
    link.stop();
    hub.stop();
    other.stop();
    assert.equal(w.lan.open, 0);
  });

  it('keeps searching (backing off) while no hub answers, and links as soon as the hub announces itself', () => {
    const w = world();
    const link = w.link();
    link.start();
    w.clock.runFor(10_000);
    assert.equal(link.state, 'waiting');
    assert.ok(w.lan.log.filter((d) => d.text.startsWith('M-SEARCH')).length >= 4);
    const hub = w.hub('10.0.0.2', 2); // its first alive is heard by the node's listener
    w.clock.runFor(50);
    assert.equal(link.state, 'linked');
    link.stop();
    hub.stop();
  });

  it('a byebye sends it searching; the hub back again is linked without enrolling twice', () => {
    const w = world();
    const hub = w.hub('10.0.0.2', 2);
    const link = w.link();
    link.start();
    w.clock.runFor(50);
    assert.equal(link.state, 'linked');
    hub.stop();
    w.clock.runFor(10);
    assert.deepEqual(
      w.events.slice(-2).map((e) => e.event),
      ['lost', 'searching'],
    );
    assert.equal(link.url, undefined);
    const sent = offer(link);
    w.clock.runFor(5000);
    assert.equal(sent.result === undefined, true, 'the batch waits for a hub');
    hub.start();
    w.clock.runFor(50);
    assert.equal(link.state, 'linked');
    assert.equal(sent.result?.ok, false, 'handed back to be sent again');
    const again = offer(link);
    w.clock.runFor(10);
    assert.deepEqual(again.result, { ok: true, ack: { ack: 1, stored: 1 } });
    assert.deepEqual(hub.calls, ['/v1/enroll', '/v1/uplink']);
    link.stop();
    hub.stop();
  });

  it('a refused enrolment is reported and retried later; a refused uplink sends it searching again', () => {
    const w = world();
    const hub = w.hub('10.0.0.2', 2);
    hub.enrolReply = () => ({ status: 409, body: { error: { code: 'invite-used', message: 'the invite was already used' } } });
    const link = w.link();
    link.start();
    w.clock.runFor(50);
    assert.deepEqual(
      w.events.find((e) => e.event === 'refused'),
      { event: 'refused', stage: 'enroll', code: 'invite-used', message: 'the invite was already used' },
    );
    assert.equal(link.state, 'waiting');
    hub.enrolReply = (b) => ({ status: 200, body: { node: b.publicKey, hub: { id: hub.id.id, publicKey: toHex(hub.id.publicKey) } } });
    w.clock.runFor(5000);
    assert.equal(link.state, 'linked');
    assert.ok(link.enrolled);
    hub.uplinkReply = () => ({ status: 403, body: { error: { code: 'unknown-node', message: 'who are you' } } });
    const sent = offer(link);
    w.clock.runFor(20);
    assert.equal(sent.result?.ok, false);
    assert.deepEqual(
      w.events.filter((e) => e.event === 'refused').map((e) => e.event === 'refused' && e.stage),
      ['enroll', 'uplink'],
    );
    assert.notEqual(link.state, 'linked');
    link.stop();
    hub.stop();
  });

  it('a persistent token (a device restarting with it): invite-used is tried as its own enrolment, confirmed by an acknowledgement', () => {
    const w = world();
    const hub = w.hub('10.0.0.2', 2);
    hub.enrolReply = () => ({ status: 403, body: { error: { code: 'invite-used', message: 'the invite was already used' } } });
    const link = w.link({ enrol: { token: 'tok', persistent: true } });
    link.start();
    w.clock.runFor(50);
    assert.equal(link.state, 'linked');
    assert.equal(link.enrolled, false, 'not confirmed before the hub acknowledges');
    const sent = offer(link);
    w.clock.runFor(10);
    assert.deepEqual(sent.result, { ok: true, ack: { ack: 1, stored: 1 } });
    assert.equal(link.enrolled, true);
    assert.deepEqual(
      w.kinds().filter((k) => k !== 'searching'),
      ['found', 'refused', 'acked'],
    );
    hub.stop();
    w.clock.runFor(10);
    hub.start();
    w.clock.runFor(50);
    assert.deepEqual(hub.calls, ['/v1/enroll', '/v1/uplink'], 'found again, it does not enrol again');
    link.stop();
    hub.stop();
  });

  it('a persistent token someone else used: the uplink is refused (unknown-node) and it goes back to searching, still not enrolled', () => {
    const w = world();
    const hub = w.hub('10.0.0.2', 2);
    hub.enrolReply = () => ({ status: 403, body: { error: { code: 'invite-used', message: 'the invite was already used' } } });
    hub.uplinkReply = () => ({ status: 403, body: { error: { code: 'unknown-node', message: 'not enrolled here' } } });
    const link = w.link({ enrol: { token: 'tok', persistent: true } });
    link.start();
    w.clock.runFor(50);
    const sent = offer(link);
    w.clock.runFor(10);
    assert.equal(sent.result?.ok, false);
    assert.notEqual(link.state, 'linked');
    assert.equal(link.enrolled, false);
    assert.deepEqual(
      w.events.filter((e) => e.event === 'refused').map((e) => e.event === 'refused' && `${e.stage} ${e.code}`),
      ['enroll invite-used', 'uplink unknown-node'],
    );
    w.clock.runFor(5000);
    assert.deepEqual(hub.calls.slice(0, 3), ['/v1/enroll', '/v1/uplink', '/v1/enroll'], 'the next hub found is asked to enrol it again');
    link.stop();
    hub.stop();
  });

  it('without persistent, invite-used is a refusal like any other (no uplink tried)', () => {
    const w = world();
    const hub = w.hub('10.0.0.2', 2);
    hub.enrolReply = () => ({ status: 403, body: { error: { code: 'invite-used', message: 'the invite was already used' } } });
    const link = w.link();
    link.start();
    w.clock.runFor(50);
    assert.equal(link.state, 'waiting');
    assert.deepEqual(hub.calls, ['/v1/enroll']);
    link.stop();
    hub.stop();
  });

  it('refuses a hub that enrols it under another key', () => {
    const w = world();
    const hub = w.hub('10.0.0.2', 2);
    hub.enrolReply = (b) => ({ status: 200, body: { node: b.publicKey, hub: { id: 'x', publicKey: toHex(identity(9).publicKey) } } });
    const link = w.link();
    link.start();
    w.clock.runFor(50);
    assert.deepEqual(
      w.events.find((e) => e.event === 'refused' && e.stage === 'enroll'),
      { event: 'refused', stage: 'enroll', code: 'hub-key-mismatch', message: 'the hub at http://10.0.0.2:7070 enrolled us under another key' },
    );
    assert.equal(link.enrolled, false);
    link.stop();
    hub.stop();
  });

  it('three unanswered uplinks in a row count as the hub gone', () => {
    const w = world();
    const hub = w.hub('10.0.0.2', 2);
    const link = w.link({ enrol: undefined });
    link.start();
    w.clock.runFor(50);
    assert.equal(link.state, 'linked');
    hub.up = false; // the process died without a byebye; its beacon is still there in this test
    for (let i = 0; i < 3; i++) {
      const s = offer(link);
      w.clock.runFor(10);
      assert.equal(s.result?.ok, false);
    }
    assert.ok(w.events.some((e) => e.event === 'lost' && /ECONNREFUSED/.test(e.reason)));
    link.stop();
    hub.stop();
  });

  it('stop(): a waiting batch is answered, sockets close, no timer is left', () => {
    const w = world();
    const link = w.link();
    link.start();
    const s = offer(link);
    w.clock.runFor(500);
    link.stop();
    link.stop();
    assert.deepEqual(s.result, { ok: false, refused: false, message: 'the node is stopping' });
    w.clock.runFor(10);
    assert.equal(w.clock.nextDue(), undefined, 'no timer left behind');
    assert.equal(w.lan.open, 0);
  });
});
