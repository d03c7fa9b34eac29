import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBatch } from '../../firmware/batch/batch.js';
import { crypto, get, startHub, TestNode } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

describe('GET /v1/series: min/mean/max buckets from the store', () => {
  let h: Awaited<ReturnType<typeof startHub>>;
  const n = new TestNode(31);
  before(async () => {
    h = await startHub();
    h.hub.cartridge.addNode(n.identity.publicKey, { name: 'porch' });
    // One reading a minute for an hour: 0, 1, 2, … 59.
    for (let i = 0; i < 60; i++)
      n.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: i, quality: 'good', time: T0 + i * MIN }, T0 + i * MIN);
    n.record('sensor.reading', 'bme280', { name: 'humidity', unit: '%RH', value: 50, quality: 'good', time: T0 }, T0);
    h.hub.cartridge.ingestBatch(createBatch(n.entries, n.identity, crypto));
  });
  after(() => h.stop());

  it('splits from..to into `points` buckets, each [start, min, mean, max, count], by node name or id', async () => {
    const r = await get(`${h.url}/v1/series?node=porch&name=temperature&from=${T0}&to=${T0 + 60 * MIN}&points=4`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.bucketMs, 15 * MIN);
    assert.deepEqual(r.body.buckets, [
      [T0, 0, 7, 14, 15],
      [T0 + 15 * MIN, 15, 22, 29, 15],
      [T0 + 30 * MIN, 30, 37, 44, 15],
      [T0 + 45 * MIN, 45, 52, 59, 15],
    ]);
    const byId = await get(`${h.url}/v1/series?node=${n.id}&name=temperature&component=bme280&from=${T0}&to=${T0 + 60 * MIN}&points=4`);
    assert.deepEqual(byId.body.buckets, r.body.buckets);
    const other = await get(`${h.url}/v1/series?node=porch&name=humidity&from=${T0}&to=${T0 + 60 * MIN}&points=1`);
    assert.deepEqual(other.body.buckets, [[T0, 50, 50, 50, 1]]);
  });

  it('snaps from back to a rollup tier and the bucket up to whole tiers, and says so; a range too short for a tier is read as asked', async () => {
    // 30 s past T0 to 30 s past the hour in 4 points: 15 min 7.5 s buckets become 16 min from T0, on the minute tier.
    const r = await get(`${h.url}/v1/series?node=porch&name=temperature&from=${T0 + 30_000}&to=${T0 + 60 * MIN + 30_000}&points=4`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.from, r.body.to, r.body.bucketMs, r.body.tier], [T0, T0 + 60 * MIN + 30_000, 16 * MIN, MIN]);
    assert.deepEqual(r.body.buckets, [
      [T0, 0, 7.5, 15, 16],
      [T0 + 16 * MIN, 16, 23.5, 31, 16],
      [T0 + 32 * MIN, 32, 39.5, 47, 16],
      [T0 + 48 * MIN, 48, 53.5, 59, 12],
    ]);
    // A day in 10 points: 2.4 h buckets become 3 h on the hour tier, from the hour before.
    const day = await get(`${h.url}/v1/series?node=porch&name=temperature&from=${T0 - 90 * MIN}&to=${T0 + 22.5 * 60 * MIN}&points=10`);
    assert.deepEqual([day.body.from, day.body.bucketMs, day.body.tier], [T0 - 2 * 60 * MIN, 3 * 60 * MIN, 60 * MIN]);
    assert.deepEqual(day.body.buckets, [[T0 - 2 * 60 * MIN, 0, 29.5, 59, 60]]);
    // Ten minutes in 100 points: 6 s buckets, narrower than any tier.
    const short = await get(`${h.url}/v1/series?node=porch&name=temperature&from=${T0 + 1}&to=${T0 + 10 * MIN + 1}&points=100`);
    assert.deepEqual([short.body.from, short.body.bucketMs, short.body.tier], [T0 + 1, 6000, null]);
    assert.deepEqual(
      (short.body.buckets as number[][]).map((b) => b[1]),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
  });

  it('refuses bad parameters with a 400 naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['name=temperature', /node/],
      ['node=porch', /name/],
      ['node=nobody&name=temperature', /node 'nobody'/],
      [`node=porch&name=temperature&from=${T0 + MIN}&to=${T0}`, /from .* must be before to/],
      ['node=porch&name=temperature&from=yesterday', /from must be whole ms/],
      ['node=porch&name=temperature&points=0', /points must be/],
      ['node=porch&name=temperature&points=100000', /points must be/],
      ['node=porch&name=temperature&bucket=5', /unknown parameter 'bucket'/],
    ];
    for (const [q, message] of cases) {
      const r = await get(`${h.url}/v1/series?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error?.code, 'bad-query', q);
      assert.match(r.body.error?.message ?? '', message, q);
    }
  });
});
