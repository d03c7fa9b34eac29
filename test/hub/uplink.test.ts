import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { batchToValue, createBatch, type Batch } from '../../firmware/batch/batch.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { parseJson } from '../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { batchVectors } from '../helpers/vectors.js';
import type { EventClock } from '../../firmware/event/envelope.js';
import { checkLinks } from '../../firmware/event/verify-chain.js';
import { checkHubHead } from '../../firmware/uplink/signed-head.js';
import { acked, cbor, crypto, get, json, post, startHub, TestNode } from './helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;
const logged: string[] = [];
const a = new TestNode(11);
const b = new TestNode(12);
const stranger = new TestNode(13);
/** The hub's clock, which every acknowledgement carries. */
const HUB_TIME = 1_767_225_600_000;
const packr = new Packr({ useRecords: false });
const msgpack = (x: Batch) => packr.pack(batchToValue(x));

/** Row counts and heads: what a refusal must leave exactly as it was. */
function snapshot(): string {
  const c = h.hub.cartridge;
  return JSON.stringify({
    counts: c.counts(),
    heads: c.nodes().map((n) => [n.id, n.headSeq]),
    head: c.db.prepare('SELECT hex(head_hash) FROM nodes ORDER BY id').pluck().all(),
  });
}

/** Copies a batch so a test can change it without touching the node's log. */
function copy(x: Batch): Batch {
  return { ...x, entries: x.entries.map((e) => ({ ...e })) };
}

async function refused(body: Uint8Array | string, status: number, code: string, type = 'application/cbor'): Promise<{ path?: string; rule?: string }> {
  const before = snapshot();
  const r = await post(`${h.url}/v1/uplink`, body, type);
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error?.code, code, JSON.stringify(r.body));
  assert.ok((r.body.error?.message.length ?? 0) > 5);
  assert.equal(snapshot(), before, 'a refusal leaves the store unchanged');
  return r.body.error ?? {};
}

before(async () => {
  h = await startHub({ log: (line) => void logged.push(line), clock: () => HUB_TIME });
  for (const n of [a, b]) h.hub.cartridge.addNode(n.identity.publicKey, { board: 'esp32-devkitc' });
  a.append(40);
  b.append(20);
  stranger.append(3);
});
after(() => h.stop());

describe('POST /v1/uplink accepts', () => {
  it('CBOR, JSON and MessagePack batches and acknowledges the head', async () => {
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, cbor(a.batch(1, 4))), h.hub, a.id), { ack: 4, stored: 4, time: HUB_TIME });
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, json(a.batch(5, 8)), 'application/json; charset=utf-8'), h.hub, a.id), {
      ack: 8,
      stored: 4,
      time: HUB_TIME,
    });
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, msgpack(a.batch(9, 12)), 'application/msgpack'), h.hub, a.id), {
      ack: 12,
      stored: 4,
      time: HUB_TIME,
    });
    assert.deepStrictEqual([...h.hub.cartridge.chain(a.id)], a.entries.slice(0, 12));
  });
  it('a replay: acknowledged with the current ack, nothing stored twice', async () => {
    const before = snapshot();
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, cbor(a.batch(9, 12))), h.hub, a.id), { ack: 12, stored: 0, time: HUB_TIME });
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, json(a.batch(1, 12)), 'application/json'), h.hub, a.id), {
      ack: 12,
      stored: 0,
      time: HUB_TIME,
    });
    assert.equal(snapshot(), before);
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, cbor(a.batch(10, 14))), h.hub, a.id), { ack: 14, stored: 2, time: HUB_TIME });
    assert.equal(h.hub.cartridge.counts().events, 14);
  });
  it('the shared batch vectors, as CBOR and as JSON, byte for byte', async () => {
    const key = (parseJson(batchVectors[0].json) as { key: Uint8Array }).key;
    const id = h.hub.cartridge.addNode(key);
    const headHash = () => toHex(h.hub.cartridge.db.prepare('SELECT head_hash FROM nodes WHERE id = ?').pluck().get(id) as Buffer);
    for (const [i, v] of batchVectors.entries()) {
      if (v.known) assert.equal(headHash(), v.known.hash, `${v.name}: the stored head is the vector's known head`);
      const r = await post(`${h.url}/v1/uplink`, i % 2 ? v.json : fromHex(v.cbor), i % 2 ? 'application/json' : 'application/cbor');
      const last = (parseJson(v.json) as { last: number }).last;
      assert.deepStrictEqual(acked(r, h.hub, id), { ack: last, stored: last - (v.known?.seq ?? 0), time: HUB_TIME }, v.name);
    }
  });
  it('a batch with a signed dropped range, storing a gap row', async () => {
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, cbor(b.batch(1, 2))), h.hub, b.id), { ack: 2, stored: 2, time: HUB_TIME });
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, cbor(b.batch(6, 8, { from: 3, to: 5 }))), h.hub, b.id), {
      ack: 8,
      stored: 3,
      time: HUB_TIME,
    });
    assert.deepStrictEqual(
      h.hub.cartridge.gaps(b.id).map((g) => [g.from, g.to]),
      [[3, 5]],
    );
  });
});

describe('POST /v1/uplink and the clock field', () => {
  let source: EventClock = 'unsynced';
  const c = new TestNode(14, () => source);
  it('stores entries with the clock that stamped them, reads them back with the same hash, and returns it', async () => {
    h.hub.cartridge.addNode(c.identity.publicKey);
    c.append(2, 'system.boot', 'node');
    source = 'hub';
    c.append(2);
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, cbor(c.batch(1, 2))), h.hub, c.id), { ack: 2, stored: 2, time: HUB_TIME });
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, json(c.batch(3, 4)), 'application/json'), h.hub, c.id), {
      ack: 4,
      stored: 2,
      time: HUB_TIME,
    });
    const chain = [...h.hub.cartridge.chain(c.id)];
    assert.deepStrictEqual(chain, c.entries, 'verbatim, clock included');
    checkLinks(c.id, chain, crypto);
    assert.deepStrictEqual(h.hub.cartridge.db.prepare('SELECT clock FROM events_v WHERE node = ? ORDER BY seq').pluck().all(c.id), [
      'unsynced',
      'unsynced',
      'hub',
      'hub',
    ]);
    assert.equal(h.hub.cartridge.db.prepare('SELECT clock FROM events_v WHERE node = ? AND seq = 1').pluck().get(a.id), null, 'entries without one: NULL');
    const page = (await get(`${h.url}/v1/events?node=${c.id}`)).body as unknown as { events: { clock?: string }[] };
    assert.deepStrictEqual(
      page.events.map((e) => e.clock),
      ['unsynced', 'unsynced', 'hub', 'hub'],
    );
    const ce = (await get(`${h.url}/v1/events?node=${c.id}&format=cloudevents`)).body as unknown as { events: { faztclock?: string }[] };
    assert.deepStrictEqual(
      ce.events.map((e) => e.faztclock),
      ['unsynced', 'unsynced', 'hub', 'hub'],
    );
    const old = (await get(`${h.url}/v1/events?node=${a.id}&limit=1`)).body as unknown as { events: Record<string, unknown>[] };
    assert.ok(!('clock' in old.events[0]), 'an event without a clock is returned without one');
  });
  it('refuses an entry whose clock is not rtc, hub or unsynced → 422 naming the field, as JSON and as CBOR', async () => {
    source = 'hub';
    c.append(1);
    const doc = JSON.parse(json(c.batch(5, 5))) as { entries: Record<string, unknown>[] };
    doc.entries[0].clock = 'gps';
    const e1 = await refused(JSON.stringify(doc), 422, 'schema', 'application/json');
    assert.deepStrictEqual([e1.path, e1.rule], ['/entries/0/clock', 'enum']);
    const r = await post(`${h.url}/v1/uplink`, JSON.stringify(doc), 'application/json');
    assert.match(r.body.error?.message ?? '', /\/entries\/0\/clock/);
    const bad = copy(c.batch(5, 5));
    bad.entries[0].clock = 'ntp' as EventClock;
    const e2 = await refused(cbor(bad), 422, 'schema');
    assert.deepStrictEqual([e2.path, e2.rule], ['/entries/0/clock', 'enum']);
    assert.deepStrictEqual(
      acked(await post(`${h.url}/v1/uplink`, cbor(c.batch(5, 5))), h.hub, c.id),
      { ack: 5, stored: 1, time: HUB_TIME },
      'the good one still goes in',
    );
  });
});

describe('POST /v1/uplink refuses, leaving the store unchanged', () => {
  it("malformed CBOR → 400 with the decoder's code", async () => {
    const good = cbor(a.batch(15, 16));
    await refused(new Uint8Array([...good, 0]), 400, 'trailing-bytes');
    await refused(good.subarray(0, good.length - 3), 400, 'truncated');
    await refused(fromHex('a2616101616102'), 400, 'duplicate-key');
  });
  it('malformed JSON → 400 malformed-json; invalid UTF-8 → 400', async () => {
    await refused(json(a.batch(15, 16)).slice(0, -1), 400, 'malformed-json', 'application/json');
    await refused(new Uint8Array([0x7b, 0xff, 0x7d]), 400, 'invalid-utf8', 'application/json');
  });
  it('malformed or out-of-model MessagePack → 400', async () => {
    await refused(new Uint8Array([0x81, 0xa1]), 400, 'truncated', 'application/msgpack');
    await refused(new Uint8Array([0x81, 0x01, 0x02]), 400, 'non-text-key', 'application/msgpack');
    await refused(new Uint8Array([...msgpack(a.batch(15, 16)), 0xc0]), 400, 'trailing-bytes', 'application/msgpack');
  });
  it('a schema violation → 422 with path and rule', async () => {
    const doc = JSON.parse(json(a.batch(15, 16))) as Record<string, unknown>;
    const e1 = await refused(JSON.stringify({ ...doc, v: 2 }), 422, 'schema', 'application/json');
    assert.deepStrictEqual([e1.path, e1.rule], ['/v', 'const']);
    const e2 = await refused(encodeCbor({ ...(batchToValue(a.batch(15, 16)) as object), extra: 1 }), 422, 'schema');
    assert.deepStrictEqual([e2.path, e2.rule], ['/extra', 'additionalProperties']);
    const e3 = await refused(JSON.stringify({ ...doc, node: 'nope' }), 422, 'schema', 'application/json');
    assert.equal(e3.path, '/node');
  });
  it('a node that never enrolled → 403 unknown-node', async () => {
    await refused(cbor(stranger.batch(1, 3)), 403, 'unknown-node');
  });
  it("a bad signature or a key that is not the node's → 401", async () => {
    const x = copy(a.batch(15, 16));
    x.sig = new Uint8Array(x.sig);
    x.sig[5] ^= 1;
    await refused(cbor(x), 401, 'bad-signature');
    await refused(cbor({ ...a.batch(15, 16), key: b.identity.publicKey }), 401, 'key-mismatch');
  });
  it('a chain that does not continue → 409 with the VerifyError code', async () => {
    await refused(cbor(a.batch(17, 18)), 409, 'gap');
    const reordered = copy(a.batch(15, 17));
    [reordered.entries[0], reordered.entries[1]] = [reordered.entries[1], reordered.entries[0]];
    await refused(cbor(reordered), 409, 'reordered');
    const tampered = copy(a.batch(15, 17));
    tampered.entries[1].data = { name: 'temperature', unit: 'Cel', value: 99, quality: 'good', time: 1 };
    await refused(cbor(tampered), 409, 'tampered');
    const truncated = copy(a.batch(15, 17));
    truncated.entries.pop();
    await refused(cbor(truncated), 409, 'truncated');
    const foreign = copy(a.batch(15, 17));
    foreign.entries[1] = { ...b.entries[1] };
    await refused(cbor(foreign), 409, 'foreign-entry');
    // A fork: the same key signs a different history from seq 1 (overlapping the stored head).
    const forkLog = new EventLog({ nodeId: a.id, crypto, clock: () => 5 });
    const fork = Array.from({ length: 15 }, () => forkLog.append('system.boot', 'core', null));
    const forked = createBatch(fork, a.identity, crypto);
    const e = (await refused(cbor(forked), 409, 'chain-broken')) as { head?: { seq: number; hash?: string; sig?: string } };
    // …stating the head the hub holds, signed by its key for this node and this batch (a node that lost its head continues from it).
    const held = h.hub.cartridge.head(a.id) as { seq: number; hash: Uint8Array };
    assert.deepEqual(checkHubHead(e.head as { seq: number }, { node: a.id, batch: forked.head }, h.hub.publicKey, crypto), { ok: true, head: held });
    assert.equal(checkHubHead(e.head as { seq: number }, { node: a.id, batch: a.batch(1, 2).head }, h.hub.publicKey, crypto).ok, false);
  });
  it('a body over the limit → 413, declared or streamed, and reading stops', async () => {
    await refused(new Uint8Array(256 * 1024 + 1), 413, 'too-large');
    const before = snapshot();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.url}/v1/uplink`, { method: 'POST', headers: { 'content-type': 'application/cbor', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
      setTimeout(() => reject(new Error('no reply to an endless body')), 10_000).unref();
    });
    assert.equal(status, 413);
    assert.equal(snapshot(), before);
  });
  it('a wrong or missing content type → 415', async () => {
    await refused(cbor(a.batch(15, 16)), 415, 'unsupported-media-type', 'text/plain');
    await refused(cbor(a.batch(15, 16)), 415, 'unsupported-media-type', '');
  });
  it('unknown routes and methods → 404 and 405 with JSON bodies', async () => {
    const r404 = await fetch(`${h.url}/v2/nothing`);
    assert.equal(r404.status, 404);
    assert.equal(((await r404.json()) as { error: { code: string } }).error.code, 'not-found');
    const r405 = await fetch(`${h.url}/v1/uplink`);
    assert.equal(r405.status, 405);
    assert.equal(r405.headers.get('allow'), 'POST');
    await r405.body?.cancel();
  });
  it('a storage failure mid-batch → 500, logged, nothing stored', async () => {
    const other = new Database(join(h.dir, 'fazt.db'));
    other.exec("CREATE TRIGGER fail_mid BEFORE INSERT ON entries WHEN NEW.seq = 17 BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    try {
      await refused(cbor(a.batch(15, 19)), 500, 'internal');
      assert.match(logged.join('\n'), /"code":"internal".*injected failure/);
    } finally {
      other.exec('DROP TRIGGER fail_mid');
      other.close();
    }
  });
  it('still accepts the continuation after all those refusals', async () => {
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, cbor(a.batch(15, 20))), h.hub, a.id), { ack: 20, stored: 6, time: HUB_TIME });
  });
});
