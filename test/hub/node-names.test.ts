import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseJson } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { cbor, get, ownerAuth, post, startHub, TestNode } from './helpers.js';

/** The events a stream delivers until `count` arrived (bounded by the signal). */
async function streamed(url: string, count: number, whileOpen: () => Promise<void>): Promise<EventEntry[]> {
  const res = await fetch(url, { headers: ownerAuth(url), signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const events: EventEntry[] = [];
  let buf = '';
  await whileOpen();
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += Buffer.from(value).toString('utf8');
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const [head, data] = buf.slice(0, i).split('\n');
      buf = buf.slice(i + 2);
      if (head === 'event: fazt') events.push(parseJson(data.slice('data: '.length)) as unknown as EventEntry);
    }
  }
  await reader.cancel();
  return events;
}

describe('a node may be named by its name wherever its id is expected', () => {
  let h: Awaited<ReturnType<typeof startHub>>;
  const kitchen = new TestNode(71);
  const garage = new TestNode(72);
  const twinA = new TestNode(73);
  const twinB = new TestNode(74);
  before(async () => {
    h = await startHub();
    h.hub.cartridge.addNode(kitchen.identity.publicKey, { name: 'kitchen', board: 'esp32-devkitc' });
    h.hub.cartridge.addNode(garage.identity.publicKey, { name: 'garage', board: 'esp32-devkitc' });
    h.hub.cartridge.addNode(twinA.identity.publicKey, { name: 'twin', board: 'esp32-devkitc' });
    h.hub.cartridge.addNode(twinB.identity.publicKey, { name: 'twin', board: 'esp32-devkitc' });
    kitchen.append(3);
    garage.append(2);
    await post(`${h.url}/v1/uplink`, cbor(kitchen.batch(1, 3)));
    await post(`${h.url}/v1/uplink`, cbor(garage.batch(1, 2)));
  });
  after(() => h.stop());

  it('GET /v1/events?node=<name> is the same as ?node=<id>', async () => {
    const byName = await get(`${h.url}/v1/events?node=kitchen`);
    const byId = await get(`${h.url}/v1/events?node=${kitchen.id}`);
    assert.equal(byName.status, 200, JSON.stringify(byName.body));
    assert.deepStrictEqual(byName.body, byId.body);
    assert.equal((byName.body.events as unknown[]).length, 3);
  });
  it('an unknown or ambiguous name is a 400 that says why', async () => {
    const unknown = await get(`${h.url}/v1/events?node=cellar`);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error?.code, 'bad-query');
    assert.match(unknown.body.error?.message ?? '', /node 'cellar' is neither a node id nor the name of a node \(names: garage, kitchen, twin\)/);
    for (const url of [`${h.url}/v1/events?node=twin`, `${h.url}/v1/stream?node=twin`]) {
      const twin = await get(url);
      assert.equal(twin.status, 400, url);
      assert.match(twin.body.error?.message ?? '', new RegExp(`node 'twin' is ambiguous: 2 nodes have that name \\(.*${twinA.id}.*\\); give the node id`));
    }
    assert.equal((await get(`${h.url}/v1/stream?node=cellar`)).status, 400);
  });
  it('GET /v1/stream?node=<name> streams only that node', async () => {
    garage.append(2);
    kitchen.append(1);
    const events = await streamed(`${h.url}/v1/stream?node=garage`, 2, async () => {
      await post(`${h.url}/v1/uplink`, cbor(kitchen.batch(4, 4)));
      await post(`${h.url}/v1/uplink`, cbor(garage.batch(3, 4)));
    });
    assert.deepStrictEqual(events, garage.entries.slice(2, 4));
  });
});
