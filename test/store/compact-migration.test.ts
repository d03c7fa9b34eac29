import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { stringifyJson } from '../../firmware/codec/json-form.js';
import type { Value } from '../../firmware/codec/value.js';
import { toCloudEvent } from '../../firmware/event/cloudevents.js';
import { entryHash, entryToValue, GENESIS_PREV, idFromHash, type EventEntry } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { StoreError } from '../../host/store/store-error.js';
import { cbor, crypto, tempDir, TestNode } from '../hub/helpers.js';
import { openOldLayout, readOld, storeOld } from './old-layout.js';

const tmp = tempDir('fazt-compact-');
after(() => tmp.cleanup());

/** What the API serves of an event: its CBOR, its JSON and its CloudEvents JSON. */
const served = (e: EventEntry) => [Buffer.from(encodeCbor(entryToValue(e))).toString('hex'), stringifyJson(entryToValue(e)), JSON.stringify(toCloudEvent(e))];

/** Each entry hashes to its stored hash, carries that hash's id, and links to the entry before where the seqs follow. */
function verifyStored(chain: EventEntry[], hashes: Uint8Array[]): void {
  assert.equal(chain.length, hashes.length);
  chain.forEach((e, i) => {
    assert.ok(bytesEqual(entryHash(e, crypto), hashes[i]), `seq ${e.seq} hashes to its stored hash`);
    assert.equal(e.id, idFromHash(hashes[i]));
    if (i === 0 && e.seq === 1) assert.ok(bytesEqual(e.prev, GENESIS_PREV));
    if (i > 0 && chain[i - 1].seq === e.seq - 1) assert.ok(bytesEqual(e.prev, hashes[i - 1]), `seq ${e.seq} links to seq ${e.seq - 1}`);
  });
}

/** An entry made by hand (a source a node's EventLog would not write: the node id alone, or an empty component). */
function handMade(source: string, seq: number, prev: Uint8Array, data: Value): EventEntry {
  const e = { type: 'system.note', source, time: 1_767_225_600_000 + seq, seq, prev, data };
  return { id: idFromHash(entryHash(e, crypto)), ...e };
}

const T = 1_767_225_600_000;
/** Readings columns cannot hold exactly (they keep their CBOR), and ones they can, mixed with other events. */
function oddEvents(n: TestNode): void {
  n.append(3);
  const odd: Value[] = [
    { name: 'temperature', unit: 'Cel', value: -0, quality: 'good', time: T },
    { name: 'motion', value: true, quality: 'good', time: T },
    { name: 'door', value: 'open', quality: 'good', time: T },
    { name: 'x', value: 1, quality: 'good', time: T, extra: 1 },
    { name: 'x', value: 1, quality: 'great', time: T },
    { name: 'x', value: 1, quality: 'good', time: 1.5 },
    { name: 'x', unit: 7, value: 1, quality: 'good', time: T },
    { name: 'x', value: 1, quality: 'good', time: T, flags: [1] },
  ];
  const columns: Value[] = [
    { name: 'pressure', unit: 'hPa', value: 1013, quality: 'uncertain', time: T - 500, flags: ['spike', 'stuck'] },
    { name: 'humidity', value: 40.5, quality: 'bad', time: T + 1 },
    { name: 'count', value: 2 ** 60, quality: 'good', time: T + 2 },
    { name: 'tiny', unit: 'V', value: 1e-300, quality: 'good', time: T + 3 },
    { name: 'half', unit: 'V', value: 0.5, quality: 'good', time: T + 4 },
    { name: 'neg', unit: 'Cel', value: -12.25, quality: 'good', time: T + 5, flags: [] },
  ];
  for (const d of odd) n.record('sensor.reading', 'probe', d, T);
  for (const d of columns) n.record('sensor.reading', 'probe', d, (d as { time: number }).time);
  n.record('sensor.state', 'bme280', { sensor: 'bme280', state: 'ok' }, T + 10);
  n.record('system.boot', 'node', { outputs: [{ name: 'relay', driver: 'gpio', pin: 5 }] }, T + 11);
  n.append(2);
}

describe('migration step 8: a cartridge of the old layout moved into the compact one in place', () => {
  it('keeps every event byte for byte: chains verify before and after, counts equal, served CBOR/JSON identical', () => {
    const file = join(tmp.dir, 'old.db');
    const old = openOldLayout(file);
    const a = new TestNode(41, () => 'rtc');
    oddEvents(a);
    const b = new TestNode(42); // no clock field; a gap 6..8
    b.append(12);
    const h = new TestNode(43, () => 'hub');
    h.append(4, 'percept.level', 'percept');
    const c = new TestNode(44);
    const c1 = handMade(c.id, 1, GENESIS_PREV, { n: 1 });
    const c2 = handMade(`${c.id}/`, 2, entryHash(c1, crypto), { n: 2 });
    storeOld(old, { id: a.id, publicKey: a.identity.publicKey }, a.entries);
    storeOld(old, { id: b.id, publicKey: b.identity.publicKey }, b.entries.slice(0, 5));
    storeOld(old, { id: b.id, publicKey: b.identity.publicKey }, b.entries.slice(8));
    old.prepare('INSERT INTO gaps (node, from_seq, to_seq, at) VALUES (?, 6, 8, 0)').run(b.id);
    storeOld(old, { id: h.id, publicKey: h.identity.publicKey, kind: 'hub' }, h.entries);
    storeOld(old, { id: c.id, publicKey: c.identity.publicKey }, [c1, c2]);
    const ids = [a.id, b.id, h.id, c.id];
    const before = new Map(ids.map((id) => [id, readOld(old, id)]));
    for (const rows of before.values())
      verifyStored(
        rows.map((r) => r.entry),
        rows.map((r) => r.hash),
      );
    const count = old.prepare('SELECT count(*) FROM events').pluck().get() as number;
    assert.equal(count, a.entries.length + 9 + 4 + 2);
    old.close();

    const copy = join(tmp.dir, 'copy.db');
    copyFileSync(file, copy);
    const now = Cartridge.open(copy);
    assert.equal(now.db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'events'").pluck().get(), 0, 'the old table is gone');
    assert.equal(now.counts().events, count);
    for (const id of ids) {
      const was = before.get(id) ?? [];
      const chain = [...now.chain(id)];
      verifyStored(
        chain,
        was.map((r) => r.hash),
      );
      assert.deepStrictEqual(
        chain.map(served),
        was.map((r) => served(r.entry)),
        `${id}: served forms identical`,
      );
      assert.deepStrictEqual(now.events({ node: id, limit: 1000 }).events.map(served), chain.map(served), 'a page serves the same');
    }
    // prev is stored for each chain's first row and the first after b's gap only; the readings columns can hold are columns.
    assert.equal(now.db.prepare('SELECT count(*) FROM entries WHERE prev IS NOT NULL').pluck().get(), 5);
    assert.equal(now.db.prepare('SELECT count(*) FROM entries WHERE name IS NOT NULL').pluck().get(), 3 + 6 + 2 + 12 - 3);
    const oddRows = now.db.prepare("SELECT count(*) FROM entries e JOIN names t ON t.ref = e.type WHERE t.name = 'sensor.reading' AND data IS NOT NULL");
    assert.equal(oddRows.pluck().get(), 8);
    // The SQL surface says the same as the entries.
    const view = now.db.prepare('SELECT node, seq, type, component, time, clock, prev, hash FROM events_v ORDER BY node, seq').all() as {
      node: string;
      seq: number;
      type: string;
      component: string | null;
      time: number;
      clock: string | null;
      prev: Buffer;
      hash: Buffer;
    }[];
    const all = [...ids].sort().flatMap((id) => before.get(id) ?? []);
    assert.deepStrictEqual(
      view.map((v) => [
        v.component === null ? v.node : `${v.node}/${v.component}`,
        v.seq,
        v.type,
        v.time,
        v.clock ?? undefined,
        Buffer.from(v.prev).toString('hex'),
      ]),
      all.map(({ entry: e }) => [e.source, e.seq, e.type, e.time, e.clock, Buffer.from(e.prev).toString('hex')]),
    );
    assert.ok(view.every((v, i) => bytesEqual(v.hash, all[i].hash)));
    assert.deepStrictEqual(
      now.db
        .prepare('SELECT name, unit, value, quality, reading_time, flags FROM readings_v WHERE node = ? AND component = ? ORDER BY seq')
        .raw()
        .all(a.id, 'probe'),
      [
        ['pressure', 'hPa', 1013, 'uncertain', T - 500, '["spike","stuck"]'],
        ['humidity', null, 40.5, 'bad', T + 1, null],
        ['count', null, 2 ** 60, 'good', T + 2, null],
        ['tiny', 'V', 1e-300, 'good', T + 3, null],
        ['half', 'V', 0.5, 'good', T + 4, null],
        ['neg', 'Cel', -12.25, 'good', T + 5, '[]'],
      ],
    );
    assert.deepStrictEqual(
      now.nodes().map((n) => [n.id, n.eventCount, n.headSeq, n.dropped]),
      [
        [a.id, a.entries.length, a.entries.length, 0],
        [b.id, 9, 12, 3],
        [c.id, 2, 2, 0],
      ].sort((x, y) => (x[0] < y[0] ? -1 : 1)),
    );
    // The chains go on growing in the new layout.
    a.append(2);
    assert.equal(now.ingest(cbor(a.batch(a.entries.length - 1, a.entries.length))).ack, a.entries.length);
    verifyStored(
      [...now.chain(a.id)],
      a.entries.map((e) => entryHash(e, crypto)),
    );
    now.close();
  });

  it('refuses a row whose id is not its hash: nothing moves, the cartridge stays as it was', () => {
    const file = join(tmp.dir, 'damaged.db');
    const old = openOldLayout(file);
    const a = new TestNode(45);
    a.append(3);
    storeOld(old, { id: a.id, publicKey: a.identity.publicKey }, [a.entries[0], { ...a.entries[1], id: a.entries[2].id }, a.entries[2]]);
    old.close();
    assert.throws(
      () => Cartridge.open(file),
      (e: unknown) => e instanceof StoreError && e.code === 'damaged' && /seq 2: id .* is not its hash's/.test(e.message),
    );
    const again = openOldLayout(file);
    assert.equal(again.prepare('SELECT count(*) FROM events').pluck().get(), 3);
    assert.equal(again.prepare('SELECT count(*) FROM migrations WHERE step = 8').pluck().get(), 0);
    assert.equal(again.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'entries'").pluck().get(), 0);
    again.close();
  });
});
