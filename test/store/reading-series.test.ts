import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createBatch } from '../../firmware/batch/batch.js';
import { Cartridge } from '../../host/store/cartridge.js';
import type { SeriesBucket } from '../../host/store/reading-series.js';
import { StoreError } from '../../host/store/store-error.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';

const tmp = tempDir('fazt-series-');
after(() => tmp.cleanup());

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

/** The buckets as JS computes them from the readings themselves. */
function expected(readings: { time: number; value: number }[], since: number, until: number, bucketMs: number): SeriesBucket[] {
  const by = new Map<number, number[]>();
  for (const r of readings) {
    if (r.time < since || r.time >= until) continue;
    const k = Math.floor((r.time - since) / bucketMs);
    by.set(k, [...(by.get(k) ?? []), r.value]);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a - b)
    .map(([k, vs]) => ({
      start: since + k * bucketMs,
      min: Math.min(...vs),
      mean: vs.reduce((a, b) => a + b, 0) / vs.length,
      max: Math.max(...vs),
      count: vs.length,
    }));
}

function close(got: SeriesBucket[], want: SeriesBucket[]): void {
  assert.deepStrictEqual(
    got.map(({ mean: _, ...b }) => b),
    want.map(({ mean: _, ...b }) => b),
  );
  got.forEach((b, i) => assert.ok(Math.abs(b.mean - want[i].mean) <= 1e-9 * Math.abs(want[i].mean), `bucket ${b.start}: mean ${b.mean} ≈ ${want[i].mean}`));
}

describe('reading series in SQL (cartridge.series)', () => {
  const c = Cartridge.open(join(tmp.dir, 's.db'));
  after(() => c.close());
  const a = new TestNode(71);
  const b = new TestNode(72);
  const indoor: { time: number; value: number }[] = [];
  const outdoor: { time: number; value: number }[] = [];
  for (const n of [a, b]) c.addNode(n.identity.publicKey);
  // Every 50 s for 6 hours: a's indoor and outdoor temperature (two components), its humidity, a gap of an hour; b's temperature.
  for (let t = T0, i = 0; t < T0 + 6 * 60 * MIN; t += 50_000, i++) {
    if (t >= T0 + 2 * 60 * MIN && t < T0 + 3 * 60 * MIN) continue;
    const v = Math.round((20 + 4 * Math.sin(i / 30) + (i % 3) * 0.1) * 100) / 100;
    a.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: v, quality: 'good', time: t }, t);
    indoor.push({ time: t, value: v });
    a.record('sensor.reading', 'ds18b20', { name: 'temperature', unit: 'Cel', value: -v / 2, quality: 'uncertain', time: t }, t);
    outdoor.push({ time: t, value: -v / 2 });
    a.record('sensor.reading', 'bme280', { name: 'humidity', unit: '%RH', value: 50, quality: 'good', time: t }, t);
    b.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 99, quality: 'good', time: t }, t);
  }
  for (const n of [a, b]) for (let i = 0; i < n.entries.length; i += 32) c.ingestBatch(createBatch(n.entries.slice(i, i + 32), n.identity, crypto));
  const series = c.series;

  it("buckets one component's reading as JS computes them; a bucket without readings is absent", () => {
    const q = { node: a.id, name: 'temperature', component: 'bme280', since: T0 + 7 * MIN, until: T0 + 5 * 60 * MIN + 13 * MIN, bucketMs: 15 * MIN };
    const got = series.between(q);
    close(got, expected(indoor, q.since, q.until, q.bucketMs));
    assert.ok(got.length > 10 && got.every((x) => x.start < T0 + 2 * 60 * MIN || x.start >= T0 + 2 * 60 * MIN + 15 * MIN - 7 * MIN));
  });

  it('without a component: all of the node’s readings of that name; another node’s never', () => {
    const q = { node: a.id, name: 'temperature', since: T0, until: T0 + 6 * 60 * MIN, bucketMs: 60 * MIN };
    close(series.between(q), expected([...indoor, ...outdoor], q.since, q.until, q.bucketMs));
    assert.deepStrictEqual(series.between({ ...q, name: 'pressure' }), []);
    assert.deepStrictEqual(series.between({ ...q, component: 'nothing' }), []);
    assert.deepStrictEqual(
      series.between({ ...q, node: b.id }).map((x) => [x.min, x.max]),
      [...Array(5)].map(() => [99, 99]),
    );
  });

  it('reads the (node, name, time) index', () => {
    const plan = c.db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM entries e WHERE e.node = (SELECT ref FROM node_refs WHERE node = 'x') AND e.name = (SELECT ref FROM names WHERE name = 'x') AND e.time >= 0 AND e.time < 1",
      )
      .all() as { detail: string }[];
    assert.ok(plan.some((p) => /entries_by_reading/.test(p.detail)));
  });

  it('refuses a query it cannot answer, naming what is wrong', () => {
    const q = { node: a.id, name: 'temperature', since: T0, until: T0 + MIN, bucketMs: 1000 };
    for (const [bad, word] of [
      [{ node: 'garage' }, /node/],
      [{ name: '' }, /name/],
      [{ until: T0 }, /since < until/],
      [{ bucketMs: 0 }, /bucketMs/],
      [{ bucketMs: 1.5 }, /bucketMs/],
      [{ until: T0 + 365 * 86_400_000, bucketMs: 1 }, /more than 100000 buckets/],
    ] as const)
      assert.throws(
        () => series.between({ ...q, ...bad }),
        (e: unknown) => e instanceof StoreError && e.code === 'bad-query' && word.test(e.message),
      );
  });
});
