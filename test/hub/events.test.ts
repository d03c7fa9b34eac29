import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseJson } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { cbor, get, post, startHub, TestNode } from './helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;
const a = new TestNode(31);
const b = new TestNode(32);

interface Page {
  order: string;
  events: Record<string, unknown>[];
  next: string | null;
}

async function page(query: string): Promise<Page> {
  const r = await get(`${h.url}/v1/events?${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as unknown as Page;
}

/** Follows `next` to the end (bounded) and returns every event's node/seq. */
async function all(query: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const p: Page = await page(query + (cursor ? `&cursor=${cursor}` : ''));
    out.push(...p.events.map((e) => `${String(e.source).slice(0, 8)}:${e.seq as number}`));
    cursor = p.next;
    if (!cursor) return out;
  }
  throw new Error('paging did not end');
}

before(async () => {
  h = await startHub();
  for (const n of [a, b]) h.hub.cartridge.addNode(n.identity.publicKey, { name: n === a ? 'alpha' : 'beta', board: 'esp32-devkitc' });
  a.append(5);
  a.append(3, 'system.boot', 'core');
  a.append(4, 'sensor.motion', 'pir');
  b.append(7);
  await post(`${h.url}/v1/uplink`, cbor(a.batch(1, 12)));
  await post(`${h.url}/v1/uplink`, cbor(b.batch(1, 7)));
});
after(() => h.stop());

describe('GET /v1/events', () => {
  it('returns events in their JSON form, oldest first (by node, then seq), exactly as sent', async () => {
    const p = await page(`node=${a.id}`);
    assert.equal(p.order, 'asc');
    assert.equal(p.next, null);
    const entries = p.events.map((e) => parseJson(JSON.stringify(e)) as unknown as EventEntry);
    assert.deepStrictEqual(entries, a.entries);
  });
  it('pages with an opaque cursor: every event once, in order, across nodes', async () => {
    const ids = await all('limit=5');
    assert.equal(ids.length, 19);
    assert.equal(new Set(ids).size, 19);
    const expected = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1)).flatMap((n) => n.entries.map((e) => `${n.id.slice(0, 8)}:${e.seq}`));
    assert.deepStrictEqual(ids, expected);
    const desc = await all('limit=4&order=desc');
    assert.deepStrictEqual(desc, [...ids].reverse());
  });
  it('filters by node, type (exact or bus wildcard) and time', async () => {
    assert.deepStrictEqual(
      (await all(`node=${a.id}&type=system.boot`)).map((s) => s.split(':')[1]),
      ['6', '7', '8'],
    );
    assert.equal((await all('type=sensor.*')).length, 5 + 4 + 7);
    assert.equal((await all('type=%23')).length, 19);
    const since = a.entries[9].time;
    assert.deepStrictEqual(
      (await all(`node=${a.id}&since=${since}`)).map((s) => s.split(':')[1]),
      ['10', '11', '12'],
    );
    assert.deepStrictEqual(
      (await all(`node=${a.id}&since=${new Date(since).toISOString()}&until=${a.entries[11].time}`)).map((s) => s.split(':')[1]),
      ['10', '11'],
    );
  });
  it('exports CloudEvents 1.0 with ?format=cloudevents', async () => {
    const p = await page(`node=${b.id}&limit=2&format=cloudevents`);
    assert.equal(p.events.length, 2);
    assert.deepStrictEqual([p.events[0].specversion, p.events[0].sequence, p.events[0].id], ['1.0', '1', b.entries[0].id]);
  });
  it('limit defaults to 100 and is capped at 1000; bad parameters are 400 bad-query', async () => {
    assert.equal((await page('')).events.length, 19);
    assert.equal((await page('limit=5000')).events.length, 19);
    for (const q of ['limit=0', 'limit=x', 'cursor=zzzz', 'node=nope', 'type=a.%23.b', 'since=yesterday', 'order=up', 'format=xml', 'colour=red']) {
      const r = await get(`${h.url}/v1/events?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error?.code, 'bad-query', q);
    }
  });
});

describe('GET /v1/nodes', () => {
  it('lists enrolled nodes with head, last event time and count', async () => {
    const r = await get(`${h.url}/v1/nodes`);
    const nodes = r.body.nodes as { id: string; name: string; board: string; headSeq: number; lastEventTime: number; eventCount: number }[];
    const alpha = nodes.find((n) => n.id === a.id);
    assert.deepStrictEqual(
      [alpha?.name, alpha?.board, alpha?.headSeq, alpha?.eventCount, alpha?.lastEventTime],
      ['alpha', 'esp32-devkitc', 12, 12, a.entries[11].time],
    );
    assert.equal(nodes.length, 2);
  });
});
