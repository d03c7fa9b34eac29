import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { Hub } from '../../host/hub/hub.js';
import { asOwner, cbor, get, post, tempDir, TestNode } from '../hub/helpers.js';

/**
 * The live rules of a real hub (HTTP, SQLite): rules added over the API are
 * events on the hub's chain; what they decide is carried out and recorded
 * there citing its causes; a restart replays the log and carries out nothing
 * twice; webhooks retry with backoff and record only the target's origin.
 */
const tmp = tempDir('fazt-rules-');
after(() => tmp.cleanup());
const T0 = 1_767_225_600_000;

async function open(dir: string) {
  let t = T0;
  const hub = new Hub({ dataDir: dir, port: 0, clock: () => (t += 5), rules: true, log: () => undefined });
  const url = asOwner(hub, await hub.start()).url;
  const own = () => [...hub.cartridge.chain(hub.hubLog.id)];
  return { hub, url, own };
}

const hot = (extra: Record<string, unknown> = {}) => ({
  id: 'lab-hot',
  name: 'Lab is hot',
  triggers: [{ kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 21, hysteresis: 0.5 }],
  actions: [{ kind: 'notify', message: 'the lab is above 21 °C', level: 'warning' }],
  ...extra,
});

const data = (e: EventEntry | undefined) => e?.data as ValueMap;
const types = (es: EventEntry[]) => es.map((e) => e.type);

describe('rules on a live hub', () => {
  const dir = `${tmp.dir}/a`;
  const node = new TestNode(71);

  it('a rule added over the API fires on stored readings; the firing and its notification cite the reading', async () => {
    const { hub, url, own } = await open(dir);
    try {
      hub.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
      const added = await post(`${url}/v1/rules`, JSON.stringify(hot()), 'application/json');
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.equal(added.body.change, 'added');
      node.append(20); // 20.0 … 21.9 °C
      assert.equal((await post(`${url}/v1/uplink`, cbor(node.batch(1, 20)))).status, 200);
      const chain = own();
      assert.deepEqual(types(chain), ['system.rule.added', 'system.rule.fired', 'effect.notify']);
      const crossing = node.entries[11]; // 21.1, the first above 21
      assert.equal(data(crossing).value, 21.1);
      assert.deepEqual(data(chain[1]).causes, [crossing.id]);
      assert.equal(data(chain[1]).rule, 'lab-hot');
      assert.equal(data(chain[2]).message, 'the lab is above 21 °C');
      assert.deepEqual(data(chain[2]).causes, [crossing.id]);
      const listed = await get(`${url}/v1/rules`);
      const rules = listed.body.rules as { id: string; firings: number; enabled: boolean; version: string }[];
      assert.deepEqual(
        rules.map((r) => [r.id, r.firings, r.enabled]),
        [['lab-hot', 1, true]],
      );
      assert.equal(data(chain[0]).version, rules[0].version);
      const again = await post(`${url}/v1/rules`, JSON.stringify(hot()), 'application/json');
      assert.deepEqual([again.status, again.body.change], [200, 'unchanged'], 'the same document changes nothing');
      assert.equal(own().length, 3);
    } finally {
      await hub.stop();
    }
  });

  it('a restart replays the log: the rule is back with its count, nothing is carried out twice, and it goes on deciding', async () => {
    const { hub, url, own } = await open(dir);
    try {
      assert.equal(own().length, 3, 'replaying added no event');
      const one = await get(`${url}/v1/rules?id=lab-hot`);
      assert.deepEqual([one.status, one.body.firings, one.body.enabled], [200, 1, true]);
      node.append(42); // 22.0 … 24.9, round to 20.0 (out of the zone: ≤ 20.5), up to 21.1 (in again)
      assert.equal((await post(`${url}/v1/uplink`, cbor(node.batch(21, 62)))).status, 200);
      assert.deepEqual(types(own()).slice(3), ['system.rule.fired', 'effect.notify'], 'it re-fired once, after leaving the zone');
      assert.deepEqual(data(own()[3]).causes, [node.entries[61].id]);
      const off = await post(`${url}/v1/rules/disable`, JSON.stringify({ id: 'lab-hot' }), 'application/json');
      assert.deepEqual([off.status, (off.body.rule as { enabled: boolean }).enabled], [200, false]);
      assert.equal(own().at(-1)?.type, 'system.rule.disabled');
      const gone = await post(`${url}/v1/rules/remove`, JSON.stringify({ id: 'lab-hot' }), 'application/json');
      assert.deepEqual([gone.status, gone.body.removed], [200, 'lab-hot']);
      assert.equal((await get(`${url}/v1/rules?id=lab-hot`)).status, 404);
      const unknown = await post(`${url}/v1/rules/enable`, JSON.stringify({ id: 'nope' }), 'application/json');
      assert.deepEqual([unknown.status, unknown.body.error?.code, unknown.body.error?.path], [404, 'unknown-rule', '/id']);
    } finally {
      await hub.stop();
    }
  });

  it('refuses bad documents, unknown nodes and impossible pins, naming the path, and stores nothing', async () => {
    const { hub, url, own } = await open(`${tmp.dir}/b`);
    try {
      hub.cartridge.addNode(new TestNode(72).identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
      const send = (doc: unknown) => post(`${url}/v1/rules`, JSON.stringify(doc), 'application/json');
      const schema = await send({ ...hot(), triggers: [{ kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' } }] });
      assert.equal(schema.status, 422, JSON.stringify(schema.body));
      assert.match(String(schema.body.error?.path), /^\/triggers\/0/);
      const nobody = await send(hot({ triggers: [{ kind: 'numeric', series: { node: 'attic', component: 'bme280', name: 'temperature' }, above: 1 }] }));
      assert.deepEqual([nobody.status, nobody.body.error?.code, nobody.body.error?.path], [400, 'unknown-node', '/triggers/0/series/node']);
      // GPIO 34 on the ESP32-DevKitC is input-only.
      const pin = await send(hot({ actions: [{ kind: 'output', node: 'lab', pin: 34, op: 'on' }] }));
      assert.equal(pin.status, 400, JSON.stringify(pin.body));
      assert.equal(pin.body.error?.path, '/actions/0/pin');
      const notJson = await post(`${url}/v1/rules`, '{"id":', 'application/json');
      assert.equal(notJson.status, 400);
      assert.equal(own().length, 0, 'nothing reached the chain');
    } finally {
      await hub.stop();
    }
  });
});

describe("a rule's webhook", () => {
  it('retries with backoff until the receiver answers 2xx and records the outcome with the origin only', async () => {
    const hits: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hits.push(body);
        res.statusCode = hits.length < 3 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    const port = (receiver.address() as AddressInfo).port;
    const { hub, url, own } = await open(`${tmp.dir}/c`);
    try {
      const node = new TestNode(73);
      hub.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
      const secret = 'hooks/Z7secretpathtoken';
      const doc = hot({ actions: [{ kind: 'webhook', url: `http://127.0.0.1:${port}/${secret}`, retries: 3, backoff: '20ms', timeout: '2s' }] });
      assert.equal((await post(`${url}/v1/rules`, JSON.stringify(doc), 'application/json')).status, 201);
      node.append(14);
      assert.equal((await post(`${url}/v1/uplink`, cbor(node.batch(1, 14)))).status, 200);
      let outcome: EventEntry | undefined;
      for (let i = 0; i < 200 && !outcome; i++) {
        await new Promise((r) => setTimeout(r, 10));
        outcome = own().find((e) => e.type === 'effect.webhook');
      }
      assert.ok(outcome, 'the outcome is on the chain');
      const d = data(outcome);
      assert.deepEqual([d.ok, d.status, d.attempts, d.target], [true, 204, 3, `http://127.0.0.1:${port}`]);
      assert.equal(hits.length, 3);
      assert.deepEqual(Object.keys(JSON.parse(hits[0])).sort(), ['at', 'causes', 'rule', 'trigger', 'version']);
      const made = own().filter((e) => e.type !== 'system.rule.added');
      assert.ok(!JSON.stringify(made.map((e) => e.data)).includes('Z7secret'), 'the secret path is stored only in the rule document itself');
    } finally {
      await hub.stop();
      receiver.close();
    }
  });
});

describe('a rule whose effects re-trigger it', () => {
  it('is stopped after maxChain firings in one causal chain, reported on the chain and in the API; each command cites its request', async () => {
    const { hub, url, own } = await open(`${tmp.dir}/d`);
    try {
      const node = new TestNode(74);
      hub.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
      node.record('system.boot', 'system', { outputs: [{ name: 'relay', driver: 'digital-output', pin: 4 }] }, T0);
      const doc = {
        id: 'flip-flop',
        name: 'Toggles the relay whenever the relay changed',
        triggers: [
          { kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 21 },
          { kind: 'event', type: 'effect.applied', node: 'lab' },
        ],
        actions: [{ kind: 'output', node: 'lab', output: 'relay', op: 'toggle' }],
      };
      node.append(14); // crosses 21 °C at the 13th reading
      assert.equal((await post(`${url}/v1/uplink`, cbor(node.batch(1, 1)))).status, 200, 'the boot first: the rule is checked against it');
      assert.equal((await post(`${url}/v1/rules`, JSON.stringify(doc), 'application/json')).status, 201);
      let reply = await post(`${url}/v1/uplink`, cbor(node.batch(2, 15)));
      let value = false;
      for (let round = 0; round < 10; round++) {
        const commands = (reply.body.commands ?? []) as { id: string; seq: number }[];
        if (commands.length === 0) break;
        const first = node.entries.length + 1;
        for (const c of commands) {
          value = !value;
          node.record('effect.applied', 'relay', { command: c.id, seq: c.seq, output: 'relay', op: 'toggle', value }, T0 + round);
        }
        reply = await post(`${url}/v1/uplink`, cbor(node.batch(first, node.entries.length)));
        assert.equal(reply.status, 200);
      }
      const chain = own();
      const fired = chain.filter((e) => e.type === 'system.rule.fired');
      const stopped = chain.filter((e) => e.type === 'system.rule.stopped');
      assert.equal(fired.length, 5, `five firings, then stopped: ${types(chain).join(', ')}`);
      assert.equal(stopped.length, 1);
      assert.match(String(data(stopped[0]).reason), /re-triggered it 5 times/);
      const rule = (await get(`${url}/v1/rules?id=flip-flop`)).body;
      assert.match(String(rule.stopped), /re-triggered/);
      const effects = (await get(`${url}/v1/effects?node=lab`)).body.effects as { id: string; cause: string; state: string }[];
      assert.equal(effects.length, 5);
      const requests = chain.filter((e) => e.type === 'effect.requested');
      assert.deepEqual(
        effects.map((c) => c.cause),
        requests.map((e) => e.id),
        'each command names the effect.requested that asked for it',
      );
      assert.deepEqual(
        requests.map((e) => data(e).command),
        effects.map((c) => c.id),
      );
      assert.ok(
        effects.every((c) => c.state === 'applied'),
        JSON.stringify(effects),
      );
    } finally {
      await hub.stop();
    }
  });
});
