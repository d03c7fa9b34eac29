import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createBatch } from '../../firmware/batch/batch.js';
import type { Value } from '../../firmware/codec/value.js';
import { entryHash, type EventEntry, GENESIS_PREV, idFromHash } from '../../firmware/event/envelope.js';
import { Cartridge } from '../../host/store/cartridge.js';
import type { SeriesBucket, SeriesQuery } from '../../host/store/reading-series.js';
import { floorTo, ROLLUP_TIERS, snapToTier } from '../../host/store/rollup-tiers.js';
import { seededRandom } from '../../sim/environment/signals.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';

const tmp = tempDir('fazt-rollups-');
after(() => tmp.cleanup());

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const HOUR = 3_600_000;

/** Appends to a node's chain with any source, the node id alone too (an EventLog always adds a component); use for all of that node's entries. */
function appendAs(n: TestNode, source: string, data: Value, time: number): EventEntry {
  const last = n.entries.at(-1);
  const prev = last ? entryHash(last, crypto) : GENESIS_PREV;
  const body = { type: 'sensor.reading', source, time, seq: n.entries.length + 1, prev, data };
  const e = { id: idFromHash(entryHash(body, crypto)), ...body };
  n.entries.push(e);
  return e;
}

/** The series from the rollups equals the one from the readings: starts, min, max, count exactly, the mean to rounding. */
function same(got: SeriesBucket[], want: SeriesBucket[], what: string): void {
  assert.deepStrictEqual(
    got.map(({ mean: _, ...b }) => b),
    want.map(({ mean: _, ...b }) => b),
    what,
  );
  got.forEach((b, i) => {
    const scale = Math.max(1, Math.abs(want[i].min), Math.abs(want[i].max));
    assert.ok(Math.abs(b.mean - want[i].mean) <= 1e-12 * scale, `${what}: bucket ${b.start} mean ${b.mean} ≈ ${want[i].mean}`);
  });
}

function rollupRows(c: Cartridge): [number, number, number, number, number, number, number, number][] {
  return c.db
    .prepare('SELECT node, name, width, start, component, min, max, count FROM reading_rollups ORDER BY node, name, width, start, component')
    .raw()
    .all() as [number, number, number, number, number, number, number, number][];
}

describe('reading rollups kept at ingest (migration step 11)', () => {
  const c = Cartridge.open(join(tmp.dir, 'r.db'));
  after(() => c.close());
  const rnd = seededRandom(0x0110);
  const a = new TestNode(81);
  const b = new TestNode(82);
  for (const n of [a, b]) c.addNode(n.identity.publicKey);
  // Two days of a's readings at irregular times: three temperature sources (two components and the node alone),
  // a humidity, a motion whose value is not a number; the clock steps back now and then (older minutes grow again).
  let t = T0 - 7_777;
  for (let i = 0; i < 4000; i++) {
    t += Math.floor(rnd() * 80_000) - (rnd() < 0.03 ? 600_000 : 0);
    const v = Math.round((20 + 8 * Math.sin(i / 90) + (rnd() - 0.5) * 3) * 1000) / 1000;
    const r = rnd();
    if (r < 0.3) appendAs(a, `${a.id}/bme280`, { name: 'temperature', unit: 'Cel', value: v, quality: 'good', time: t }, t);
    else if (r < 0.55) appendAs(a, `${a.id}/ds18b20`, { name: 'temperature', unit: 'Cel', value: -v, quality: 'uncertain', time: t }, t);
    else if (r < 0.75) appendAs(a, a.id, { name: 'temperature', unit: 'Cel', value: v * 1e6, quality: 'bad', time: t }, t);
    else if (r < 0.9) appendAs(a, `${a.id}/bme280`, { name: 'humidity', unit: '%RH', value: 40 + v, quality: 'good', time: t }, t);
    else appendAs(a, `${a.id}/pir`, { name: 'motion', value: r < 0.95, quality: 'good', time: t }, t);
    b.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 99, quality: 'good', time: t }, t);
  }
  const end = t;
  // Batches of random sizes, as nodes send them.
  for (const n of [a, b])
    for (let i = 0; i < n.entries.length; ) {
      const size = 1 + Math.floor(rnd() * 200);
      c.ingestBatch(createBatch(n.entries.slice(i, i + size), n.identity, crypto));
      i += size;
    }

  it('answers random ranges from the rollups exactly as from the readings, partial minutes at the end included', () => {
    const counts = { tiers: 0, hour: 0, raw: 0, tail: 0 };
    for (let i = 0; i < 300; i++) {
      const tier = ROLLUP_TIERS[Math.floor(rnd() * ROLLUP_TIERS.length)];
      const since = floorTo(T0 - HOUR + Math.floor(rnd() * (end - T0)), tier);
      const until = since + 1 + Math.floor(rnd() * (end - since + HOUR));
      const bucketMs = tier * (1 + Math.floor(rnd() * 90));
      const component = [undefined, 'bme280', 'ds18b20', 'nothing'][Math.floor(rnd() * 4)];
      const name = rnd() < 0.8 ? 'temperature' : 'humidity';
      const q: SeriesQuery = { node: a.id, name, since, until, bucketMs, ...(component === undefined ? {} : { component }) };
      const parts = c.series.parts(q);
      // A tier fits: whole minutes come from the rollups, only a range under a minute from the readings alone.
      assert.equal(typeof parts[0].source === 'number', floorTo(until, MIN) > since, `${JSON.stringify(q)} reads a tier`);
      if (typeof parts[0].source === 'number') counts.tiers++;
      if (parts.some((p) => p.source === HOUR)) counts.hour++;
      if (parts.at(-1)?.source === 'raw') counts.tail++;
      same(c.series.between(q), c.series.readings(q), JSON.stringify(q));
    }
    // Where no tier fits (a start off the minute, a bucket not a whole number of minutes) it reads the readings.
    for (const q of [
      { node: a.id, name: 'temperature', since: T0 + 1, until: end, bucketMs: HOUR },
      { node: a.id, name: 'temperature', since: T0, until: end, bucketMs: 90_000 + 1 },
    ]) {
      assert.deepStrictEqual(c.series.parts(q), [{ source: 'raw', from: q.since, to: q.until }]);
      counts.raw++;
    }
    assert.ok(counts.tiers > 250 && counts.hour > 50 && counts.tail > 200, JSON.stringify(counts));
  });

  it('every rollup is the GROUP BY of the entries it summarises; readings that are not numbers are in none', () => {
    for (const width of ROLLUP_TIERS) {
      const want = c.db
        .prepare(
          `SELECT node, name, ${width}, time - ((time % ${width}) + ${width}) % ${width} AS s, coalesce(component, 0) AS p, min(value), max(value), count(*)
          FROM entries WHERE name IS NOT NULL GROUP BY node, name, s, p ORDER BY node, name, s, p`,
        )
        .raw()
        .all();
      assert.deepStrictEqual(
        rollupRows(c).filter((r) => r[2] === width),
        want,
      );
    }
    const motion = c.db.prepare("SELECT count(*) FROM reading_rollups WHERE name = (SELECT ref FROM names WHERE name = 'motion')").pluck().get();
    assert.equal(motion, 0);
    assert.deepStrictEqual(c.series.between({ node: a.id, name: 'motion', since: floorTo(T0, HOUR), until: end, bucketMs: HOUR }), []);
  });

  it('reads the rollups along their key and the readings along entries_by_reading', () => {
    const plans = c.series.plans({ node: a.id, name: 'temperature', since: floorTo(T0, HOUR), until: end, bucketMs: 3 * HOUR });
    assert.deepStrictEqual(
      plans.map((p) => p.part.source),
      [HOUR, 10 * MIN, MIN, 'raw'],
    );
    for (const { part, plan } of plans) {
      const text = plan.join('\n');
      if (part.source === 'raw') assert.match(text, /^SEARCH entries USING INDEX entries_by_reading \(node=\? AND name=\? AND time>\? AND time<\?\)$/m);
      else assert.match(text, /^SEARCH reading_rollups USING PRIMARY KEY \(node=\? AND name=\? AND width=\? AND start>\? AND start<\?\)$/m);
    }
  });

  it('a batch whose transaction fails after its rollups were written leaves neither entries nor rollups', () => {
    const before = rollupRows(c);
    const events = c.counts().events;
    const n = b.entries.length;
    b.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: -1e9, quality: 'good', time: end }, end);
    // The head is written after the entries and the rollups: a fault there rolls back everything.
    c.db.exec(`CREATE TEMP TRIGGER head_fails BEFORE UPDATE OF head_seq ON main.nodes BEGIN SELECT RAISE(ABORT, 'disk gone'); END`);
    try {
      assert.throws(() => c.ingestBatch(b.batch(n + 1, n + 1)), /disk gone/);
    } finally {
      c.db.exec('DROP TRIGGER temp.head_fails');
    }
    assert.equal(c.counts().events, events);
    assert.deepStrictEqual(rollupRows(c), before);
    c.ingestBatch(b.batch(n + 1, n + 1));
    assert.equal(c.series.between({ node: b.id, name: 'temperature', since: floorTo(end, MIN), until: end + 1, bucketMs: MIN })[0].min, -1e9);
  });
});

describe('migration step 11 backfills the rollups from the entries already stored', () => {
  it('gives the rollups ingest would have kept, in one step', () => {
    const file = join(tmp.dir, 'backfill.db');
    const n = new TestNode(83);
    const rnd = seededRandom(83);
    let t = T0 - 5 * HOUR - 123;
    for (let i = 0; i < 2000; i++) {
      t += Math.floor(rnd() * 30_000);
      n.record('sensor.reading', i % 2 ? 'bme280' : 'sht4x', { name: 'temperature', unit: 'Cel', value: rnd() * 40 - 10, quality: 'good', time: t }, t);
    }
    let c = Cartridge.open(file);
    c.addNode(n.identity.publicKey);
    for (let i = 0; i < n.entries.length; i += 64) c.ingestBatch(createBatch(n.entries.slice(i, i + 64), n.identity, crypto));
    const kept = rollupRows(c);
    const sums = c.db.prepare('SELECT sum FROM reading_rollups ORDER BY node, name, width, start, component').pluck().all() as number[];
    // The cartridge as fazt before step 11 left it: entries, no rollups.
    c.db.exec('DROP TABLE reading_rollups; DELETE FROM migrations WHERE step = 11');
    c.close();
    c = Cartridge.open(file);
    try {
      assert.equal(c.db.prepare('SELECT count(*) FROM migrations WHERE step = 11').pluck().get(), 1);
      assert.deepStrictEqual(rollupRows(c), kept);
      const again = c.db.prepare('SELECT sum FROM reading_rollups ORDER BY node, name, width, start, component').pluck().all() as number[];
      again.forEach((s, i) => assert.ok(Math.abs(s - sums[i]) <= 1e-9 * Math.max(1, Math.abs(sums[i])), `sum ${s} ≈ ${sums[i]}`));
    } finally {
      c.close();
    }
  });
});

describe('snapToTier: the /v1/series window on a rollup tier', () => {
  it('moves from back to the coarsest tier that fits and the bucket up to a multiple of it, keeping at most `points` buckets, a coarser tier only where it keeps 80 % of them', () => {
    assert.deepStrictEqual(snapToTier(T0 + 30_000, T0 + HOUR + 30_000, 4), { since: T0, bucketMs: 16 * MIN, tier: MIN });
    assert.deepStrictEqual(snapToTier(T0 + 1, T0 + 100 * 86_400_000, 1000), { since: T0, bucketMs: 3 * HOUR, tier: HOUR });
    assert.deepStrictEqual(snapToTier(T0 + 1, T0 + HOUR, 500), { since: T0 + 1, bucketMs: 7200, tier: undefined });
    // A week in 1000 points: 10.08 min buckets would be 20 on the ten-minute tier, so 11 on the minute one; a month: 43.2 min, 50.
    assert.deepStrictEqual(snapToTier(T0, T0 + 7 * 24 * HOUR, 1000), { since: T0, bucketMs: 11 * MIN, tier: MIN });
    assert.deepStrictEqual(snapToTier(T0, T0 + 30 * 24 * HOUR, 1000), { since: T0, bucketMs: 50 * MIN, tier: 10 * MIN });
    const rnd = seededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const from = T0 + Math.floor(rnd() * 1e10);
      const to = from + 1 + Math.floor(rnd() * 10 ** (3 + rnd() * 8));
      const points = 1 + Math.floor(rnd() * 10_000);
      const w = snapToTier(from, to, points);
      assert.ok(w.since <= from && Math.ceil((to - w.since) / w.bucketMs) <= points, JSON.stringify({ from, to, points, w }));
      if (w.tier === undefined) continue;
      assert.ok(w.since % w.tier === 0 && w.bucketMs % w.tier === 0 && from - w.since < w.tier);
      assert.ok(w.tier === MIN || w.bucketMs <= 1.25 * Math.ceil((to - w.since) / points), JSON.stringify({ from, to, points, w }));
    }
    assert.equal(floorTo(-1, MIN), -MIN);
  });
});
