import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { cbor, post, startHub, TestNode } from '../hub/helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;
const booted = new TestNode(151);
const quiet = new TestNode(152);
const SENSORS = [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 2000 }];

const get = (path: string, token?: string) => fetch(`${h.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

before(async () => {
  h = await startHub({ log: () => undefined });
  h.hub.cartridge.addNode(booted.identity.publicKey, { name: 'lounge', board: 'esp32-devkitc' });
  h.hub.cartridge.addNode(quiet.identity.publicKey, { name: 'shed' });
  booted.record(
    'system.boot',
    'node',
    { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1, config: { sensors: SENSORS, uplink: { batchSize: 8, maxDelayMs: 2000 } } },
    Date.now(),
  );
  assert.equal((await post(`${h.url}/v1/uplink`, cbor(booted.batch(1, 1)))).status, 200);
});
after(() => h.stop());

describe('GET /v1/nodes/config: what the hub knows of a node configuration', () => {
  it('answers its enrolment and what it declared at its latest boot, to a read token', async () => {
    const read = h.hub.cartridge.tokens.create({ name: 'viewer', scope: 'read', now: Date.now() }).token;
    const r = await get('/v1/nodes/config?node=lounge', read);
    assert.equal(r.status, 200);
    const c = (await r.json()) as {
      node: { id: string; name: string; board: string; publicKey: string };
      boot: { seq: number; firmware: string; config: unknown };
    };
    assert.deepStrictEqual([c.node.id, c.node.name, c.node.board, c.node.publicKey], [booted.id, 'lounge', 'esp32-devkitc', toHex(booted.identity.publicKey)]);
    assert.deepStrictEqual([c.boot.seq, c.boot.firmware], [1, '0.1.0']);
    assert.deepStrictEqual(c.boot.config, { sensors: SENSORS, uplink: { batchSize: 8, maxDelayMs: 2000 } });
  });
  it('boot is null before a node booted; an unknown node is 404, a missing or unknown parameter 400, no token 401', async () => {
    const t = h.hub.ownerToken;
    const quietAnswer = (await (await get(`/v1/nodes/config?node=${quiet.id}`, t)).json()) as { boot: unknown; node: { name: string } };
    assert.deepStrictEqual([quietAnswer.node.name, quietAnswer.boot], ['shed', null]);
    assert.equal((await get(`/v1/nodes/config?node=${new TestNode(153).id}`, t)).status, 404);
    assert.equal((await get('/v1/nodes/config', t)).status, 400);
    assert.equal((await get('/v1/nodes/config?node=lounge&x=1', t)).status, 400);
    assert.equal((await get('/v1/nodes/config?node=lounge')).status, 401);
  });
});
