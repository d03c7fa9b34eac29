import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BEACON_HEADER, BEACON_SIG_HEADER, signBeacon, verifyBeacon } from '../../firmware/beacon/beacon-record.js';
import { fromBase64url } from '../../firmware/codec/text-encodings.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { checkTimeAnswer } from '../../firmware/time/time-answer.js';
import { Hub } from '../../host/hub/hub.js';
import type { PeerReading, TimeStatus } from '../../host/time/timekeeper.js';
import { cbor, crypto, get, post, startHub, tempDir, TestNode } from '../hub/helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
const HOUR = 3_600_000;
/** The hub's system clock runs an hour ahead: everything it says must come from it, not from Date.now(). */
const hubClock = () => Date.now() + HOUR;
const logs: string[] = [];
let h: Started;
let other: Started;

before(async () => {
  h = await startHub({ clock: hubClock, time: { mode: 'system' }, log: (l) => logs.push(l) });
  other = await startHub({ time: { mode: 'system' }, log: (l) => logs.push(l) });
});
after(async () => {
  await Promise.all([h, other].filter(Boolean).map((x) => x.stop()));
});

const nonce = () => randomBytes(16).toString('hex');

describe('GET /v1/time', () => {
  it('a bad or missing nonce: 400 bad-query', async () => {
    for (const q of ['', '?nonce=', '?nonce=abc', `?nonce=${nonce().toUpperCase()}`, `?nonce=${nonce()}0`, `?nonce=${'z'.repeat(32)}`, `?other=${nonce()}`]) {
      const r = await get(`${h.url}/v1/time${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error?.code, 'bad-query', q);
      assert.match(r.body.error?.message ?? '', /nonce/);
    }
  });
  it("a good nonce: an answer checkTimeAnswer accepts with the hub's key, on the hub's clock", async () => {
    const n = nonce();
    const r = await get(`${h.url}/v1/time?nonce=${n}`);
    assert.equal(r.status, 200);
    const a = checkTimeAnswer(r.body, n, h.hub.publicKey, crypto);
    assert.equal(a.id, h.addr.hubId);
    assert.equal(a.source, 'system');
    assert.ok(Math.abs(a.time - hubClock()) < 2000, `answer ${a.time - Date.now()} ms from Date.now()`);
    // Not with another hub's key, and not for another nonce.
    assert.throws(
      () => checkTimeAnswer(r.body, n, other.hub.publicKey, crypto),
      (e: unknown) => e instanceof FaztError && e.code === 'time-bad-signature',
    );
    assert.throws(
      () => checkTimeAnswer(r.body, nonce(), h.hub.publicKey, crypto),
      (e: unknown) => e instanceof FaztError && e.code === 'time-replay',
    );
  });
  it('is GET only', async () => {
    const r = await post(`${h.url}/v1/time?nonce=${nonce()}`, '', '');
    assert.equal(r.status, 405);
  });
});

describe('GET /v1/time/status, /v1/time/peers, POST /v1/time/sync', () => {
  it('status: mode, source, clocks and the fields the CLI prints', async () => {
    const r = await get(`${h.url}/v1/time/status`);
    assert.equal(r.status, 200);
    const s = r.body as unknown as TimeStatus;
    assert.equal(s.mode, 'system');
    assert.equal(s.source, 'system');
    assert.ok(Math.abs(s.now - hubClock()) < 2000, 'Math.abs(s.now - hubClock()) < 2000');
    assert.ok(Math.abs(s.local - hubClock()) < 2000, 'Math.abs(s.local - hubClock()) < 2000');
    assert.deepStrictEqual(
      [s.consensus, s.offsetMs, s.driftPpm, s.confidence, s.sources, s.spreadMs, s.targetMs, s.lastSync],
      [null, null, 0, 0, 0, null, null, null],
    );
    assert.equal(s.ntp.synced, false);
    assert.equal(typeof s.ntp.how, 'string');
  });
  it('peers: no readings before a round; sync: a round over no peers (the beacon is off) changes nothing', async () => {
    assert.deepStrictEqual((await get(`${h.url}/v1/time/peers`)).body, { readings: [] });
    const r = await post(`${h.url}/v1/time/sync`, '', '');
    assert.equal(r.status, 200);
    const body = r.body as unknown as { status: TimeStatus; readings: PeerReading[] };
    assert.deepStrictEqual(body.readings, []);
    assert.equal(body.status.source, 'system');
    assert.equal(body.status.sources, 0);
    assert.equal((await get(`${h.url}/v1/time/sync`)).status, 405, 'sync is POST only');
  });
});

describe('GET /v1/beacon', () => {
  it('with the beacon off: {enabled: false, cached: []}', async () => {
    const r = await get(`${other.url}/v1/beacon`);
    assert.equal(r.status, 200);
    assert.deepStrictEqual(r.body, { enabled: false, cached: [] });
    assert.equal(other.hub.beacon, undefined);
  });
  it('with the beacon off, peers cached in the cartridge are still listed', async () => {
    const peer = identityFromSecretKey(new Uint8Array(32).fill(121), crypto);
    const { headers } = signBeacon(
      { kind: 'hub', name: 'attic', board: 'rpi-4b', version: '0.1.0', services: ['time'], addresses: ['10.0.0.5'], port: 7070, issued: 1 },
      peer,
      crypto,
    );
    const record = verifyBeacon(headers, '10.0.0.5', crypto);
    h.hub.cartridge.peers.save(
      record,
      { record: fromBase64url(headers[BEACON_HEADER]), signature: fromBase64url(headers[BEACON_SIG_HEADER]) },
      '10.0.0.5',
      100,
      200,
    );
    const r = await get(`${h.url}/v1/beacon`);
    assert.deepStrictEqual(r.body, {
      enabled: false,
      cached: [
        {
          id: peer.id,
          kind: 'hub',
          name: 'attic',
          board: 'rpi-4b',
          version: '0.1.0',
          services: ['time'],
          address: '10.0.0.5',
          port: 7070,
          firstSeen: 100,
          lastSeen: 200,
        },
      ],
    });
  });
});

describe('POST /v1/uplink: the ack carries the hub clock', () => {
  it("time is the hub's clock (an hour ahead of Date.now here), a whole number of ms; received_at is on it too", async () => {
    const node = new TestNode(122);
    h.hub.cartridge.addNode(node.identity.publicKey, { name: 'n' });
    node.append(4);
    const t0 = hubClock();
    const r = await post(`${h.url}/v1/uplink`, cbor(node.batch(1, 4)));
    const t1 = hubClock();
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.ack, 4);
    assert.equal(r.body.stored, 4);
    const time = r.body.time as number;
    assert.ok(Number.isSafeInteger(time), 'Number.isSafeInteger(time)');
    assert.ok(time >= t0 - 1 && time <= t1 + 1, `ack time ${time - Date.now()} ms from Date.now()`);
    // A replay is acknowledged with a fresh time as well.
    const again = await post(`${h.url}/v1/uplink`, cbor(node.batch(1, 4)));
    assert.equal(again.body.stored, 0);
    assert.ok((again.body.time as number) >= time, '(again.body.time as number) >= time');
    const received = h.hub.cartridge.db.prepare('SELECT min(received_at) AS lo, max(received_at) AS hi FROM events_v WHERE node = ?').get(node.id) as {
      lo: number;
      hi: number;
    };
    assert.ok(received.lo >= t0 - 1 && received.hi <= t1 + 1, 'received_at reads the same clock');
  });
  it('a refused batch has no time', async () => {
    const stranger = new TestNode(123);
    stranger.append(1);
    const r = await post(`${h.url}/v1/uplink`, cbor(stranger.batch(1, 1)));
    assert.notEqual(r.status, 200);
    assert.equal(r.body.time, undefined);
  });
});

describe('Hub time options', () => {
  it('a bad pollMs or timeoutMs refuses to start and leaves the cartridge closed (no WAL left open)', async () => {
    for (const time of [{ pollMs: 50 }, { timeoutMs: 0 }]) {
      const { dir, cleanup } = tempDir();
      try {
        const hub = new Hub({ dataDir: dir, host: '127.0.0.1', port: 0, time, log: () => {} });
        await assert.rejects(hub.start(), RangeError);
        assert.equal(existsSync(join(dir, 'fazt.db-wal')), false, JSON.stringify(time));
        await hub.stop();
      } finally {
        cleanup();
      }
    }
  });
  it("the hub's Timekeeper is reachable and runs the mode asked for", () => {
    assert.equal(h.hub.timekeeper.mode, 'system');
    assert.equal(h.hub.timekeeper.source(), 'system');
    assert.ok(Math.abs(h.hub.timekeeper.now() - hubClock()) < 1000, 'Math.abs(h.hub.timekeeper.now() - hubClock()) < 1000');
  });
});
