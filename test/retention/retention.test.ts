import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { batchSignedForm } from '../../firmware/batch/batch.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { entryHash } from '../../firmware/event/envelope.js';
import { checkCartridge } from '../../host/store/check-cartridge.js';
import { Checkpoints } from '../../host/store/checkpoints.js';
import { PrunedRanges } from '../../host/store/pruned-ranges.js';
import { PRUNED_TYPE } from '../../host/store/retention-pass.js';
import { floorTo, snapToTier } from '../../host/store/rollup-tiers.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';
import { DAY, hubKey, later, openWithHub, pass, RECEIVED, storeMixed } from './fixture.js';

const tmp = tempDir('fazt-retention-');
after(() => tmp.cleanup());
let n = 0;
const file = () => join(tmp.dir, `r${++n}.db`);

const rollups = (c: ReturnType<typeof openWithHub>['c']) =>
  c.db.prepare('SELECT * FROM reading_rollups ORDER BY node, name, width, start, component').raw().all();

describe('retention: raw readings give way to their rollups under a signed summary', () => {
  it('prunes only readings, in ranges ending on checkpoints; rollups and series answers stay; every chain verifies', () => {
    const { c, log } = openWithHub(file());
    const a = storeMixed(c, 31, 1000);
    const b = storeMixed(c, 32, 300);
    const t0 = a.entries[1].time;
    // A chart's query (snapped to a rollup tier, as the series API does), ending on a whole minute.
    const until = floorTo(t0 + 1000 * 1000, 60_000);
    const w = snapToTier(t0, until, 8);
    assert.equal(w.tier, 60_000);
    const series = () => c.series.between({ node: a.id, name: 'temperature', since: w.since, until, bucketMs: w.bucketMs });
    const [seriesBefore, rollupsBefore] = [series(), rollups(c)];
    const steps = pass(c, log, { maxRows: 300 }).runAll();
    // Seq 1 and the effect in the middle (seq 502 of a, 152 of b) stay; the readings either side go, in ranges of at most 300 ending on a batch.
    assert.deepEqual(
      steps.filter((s) => s.node === a.id).map((s) => [s.first, s.last]),
      [
        [2, 301],
        [302, 501],
        [503, 802],
        [803, 1002],
      ],
    );
    const left = (node: string) => [...c.chain(node)].map((e) => [e.seq, e.type]);
    assert.deepEqual(left(a.id), [
      [1, 'effect.applied'],
      [502, 'effect.applied'],
    ]);
    assert.deepEqual(left(b.id), [
      [1, 'effect.applied'],
      [152, 'effect.applied'],
    ]);
    assert.deepEqual(rollups(c), rollupsBefore);
    assert.deepEqual(series(), seriesBefore);
    assert.ok(seriesBefore.length >= 7 && seriesBefore.every((b) => b.count > 0));
    const heads = verifyStoredChains(c, crypto);
    const byNode = new Map(heads.map((h) => [h.node, [h.kind, h.seq, h.events, h.pruned]]));
    assert.deepEqual(byNode.get(a.id), ['node', 1002, 2, 4]);
    assert.deepEqual(byNode.get(b.id), ['node', 302, 2, 2]);
    assert.deepEqual(byNode.get(hubKey.id), ['hub', steps.length, steps.length, undefined]);
    assert.equal(checkCartridge(c, crypto).chains, 3);
    c.close();
  });

  it('each range is a signed event on the hub chain stating node, range, count and hashes', () => {
    const { c, log } = openWithHub(file());
    const a = storeMixed(c, 33, 200);
    const [first] = pass(c, log).runAll();
    assert.deepEqual([first.first, first.last, first.count], [2, 101, 100]);
    const [summary] = [...c.chain(hubKey.id, { from: first.summary, to: first.summary })];
    const want = crypto.sha256Stream();
    assert.equal(summary.type, PRUNED_TYPE);
    const d = summary.data as Record<string, unknown>;
    assert.equal(d.node, a.id);
    assert.deepEqual([d.first, d.last, d.count, d.keepMs, d.cutoff], [2, 101, 100, DAY, later - DAY]);
    // The node's own entries give the same hash, prev and last hash.
    for (const e of a.entries.slice(1, 101)) want.update(entryHash(e, crypto));
    assert.equal(d.hash, toHex(want.digest()));
    assert.equal(d.prev, toHex(a.entries[1].prev));
    assert.equal(d.lastHash, toHex(a.entries[101].prev));
    // Signed: a checkpoint of the hub's key covers it.
    const cp = new Checkpoints(c.db).endingFrom(hubKey.id, first.summary)[0];
    assert.ok(cp.first <= first.summary);
    assert.ok(crypto.verify(cp.sig, batchSignedForm(hubKey.id, cp.first, cp.last, cp.head, cp.dropped), hubKey.publicKey));
    assert.deepEqual(
      new PrunedRanges(c.db).of(a.id).map((p) => [p.first, p.last, p.hub, p.summary]),
      [
        [2, 101, hubKey.id, first.summary],
        [103, 202, hubKey.id, first.summary + 1],
      ],
    );
    c.close();
  });

  it('keeps what is newer than the policy, and a second pass finds nothing more', () => {
    const { c, log } = openWithHub(file());
    storeMixed(c, 34, 100);
    assert.deepEqual(pass(c, log, { now: RECEIVED + DAY - 1 }).runAll(), []);
    assert.equal(pass(c, log).runAll().length, 2);
    assert.deepEqual(pass(c, log).runAll(), []);
    c.close();
  });

  it('a plain DELETE is still refused; only retention deletes, only what a summarised range covers', () => {
    const { c, log } = openWithHub(file());
    const a = storeMixed(c, 35, 100);
    const before = c.counts().events;
    assert.throws(() => c.db.exec('DELETE FROM entries'), /events are append-only/);
    assert.throws(() => c.db.exec('DELETE FROM entries WHERE seq = 5'), /events are append-only/);
    assert.equal(c.counts().events, before);
    // A range with no summary on the hub chain is refused, so is one citing an event that is no summary.
    const ref = c.db.prepare('SELECT ref FROM node_refs WHERE node = ?').pluck().get(a.id) as number;
    const row = [ref, 2, 51, 50, Buffer.alloc(32), Buffer.alloc(32), Buffer.alloc(32), ref, 1, 0];
    const insert = 'INSERT INTO pruned_ranges (node, first, last, count, hash, prev, last_hash, hub, summary, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
    assert.throws(() => c.db.prepare(insert).run(...row), /needs its summary on the hub chain/);
    pass(c, log).runAll();
    assert.throws(() => c.db.exec('DELETE FROM pruned_ranges'), /pruned ranges are append-only/);
    assert.throws(() => c.db.exec('UPDATE pruned_ranges SET count = count'), /pruned ranges are append-only/);
    // Inside a summarised range only readings could go; the effect at seq 1 never.
    assert.throws(() => c.db.exec('DELETE FROM entries WHERE seq = 1'), /events are append-only/);
    c.close();
  });

  it('a tampered range or summary fails verification, naming the range', () => {
    const { c, log } = openWithHub(file());
    const a = storeMixed(c, 36, 100);
    pass(c, log).runAll();
    assert.equal(verifyStoredChains(c, crypto).length, 2);
    c.db.exec('DROP TRIGGER pruned_ranges_no_update');
    // A range's hash changed: its summary states another.
    c.db.exec('UPDATE pruned_ranges SET hash = zeroblob(32) WHERE first = 2');
    assert.throws(
      () => verifyStoredChains(c, crypto),
      new RegExp(`${a.id} is damaged at seq 2: pruned range 2..51: its summary \\(hub seq 1\\) states another range or hash`),
    );
    // Entries deleted behind retention's back, under a range widened to cover them, with no summary saying so.
    const { c: c2, log: log2 } = openWithHub(file());
    const b = storeMixed(c2, 37, 100);
    pass(c2, log2, { maxRows: 10 }).step();
    c2.db.exec('DROP TRIGGER pruned_ranges_no_update');
    c2.db.exec('DROP TRIGGER entries_no_delete');
    c2.db.exec('DELETE FROM entries WHERE seq BETWEEN 52 AND 101 AND name IS NOT NULL');
    c2.db.exec('UPDATE pruned_ranges SET last = 101, count = 100 WHERE first = 2');
    assert.throws(() => verifyStoredChains(c2, crypto), new RegExp(`${b.id} is damaged at seq 52: seqs 2..51 are missing and no signed gap or pruned range`));
    c.close();
    c2.close();
  });

  it('a node silent past the policy: its newest entries pruned, the chain still verifies and takes its next batch', () => {
    const { c, log } = openWithHub(file());
    const a = new TestNode(38);
    c.addNode(a.identity.publicKey);
    a.append(120);
    c.ingestBatch(a.batch(1, 60));
    c.ingestBatch(a.batch(61, 120));
    assert.equal(pass(c, log).runAll().length, 1);
    assert.equal(c.counts().events, 1);
    assert.deepEqual(
      verifyStoredChains(c, crypto).map((h) => [h.seq, h.events, h.pruned]),
      [
        [120, 0, 1],
        [1, 1, undefined],
      ],
    );
    assert.equal(verifyStoredChains(c, crypto, { recent: 16 })[0].seq, 120);
    a.append(5);
    assert.equal(c.ingestBatch(a.batch(121, 125)).ack, 125);
    assert.equal(verifyStoredChains(c, crypto)[0].events, 5);
    c.close();
  });
});
