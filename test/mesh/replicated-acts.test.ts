import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { BatchOrigin } from '../../host/store/ingest.js';
import { cbor, post, TestNode } from '../hub/helpers.js';
import { chainDigest, startPair } from './helpers.js';

type Pair = Awaited<ReturnType<typeof startPair>>;

const hot = {
  id: 'lab-hot',
  name: 'Lab is hot',
  triggers: [{ kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 21, hysteresis: 0.5 }],
  actions: [{ kind: 'notify', message: 'the lab is above 21 °C', level: 'warning' }],
};

/**
 * Who acts on an entry: the hub that received it from the node. A paired
 * hub holds the same entries after a sync, but its rules and percepts do not
 * act on them again (an effect on a node happens once, not once per hub).
 */
describe('rules and percepts act only on entries the hub received itself', () => {
  let p: Pair;
  const node = new TestNode(61);
  const own = (h: Pair['a']): EventEntry[] => [...h.hub.cartridge.chain(h.hub.hubLog.id)];
  before(async () => {
    p = await startPair({ rules: true, percepts: true, log: () => {} });
    for (const h of [p.a, p.b]) {
      h.hub.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
      const added = await post(`${h.url}/v1/rules`, JSON.stringify(hot), 'application/json');
      assert.equal(added.status, 201, JSON.stringify(added.body));
    }
  });
  after(() => p.stop());

  it('a rule fires on the hub that got the uplink, not on its paired peer after the sync', async () => {
    const { a, b } = p;
    const seen: BatchOrigin[] = [];
    const unsubscribe = b.hub.cartridge.onStored((_entries, _at, origin) => seen.push(origin));
    node.append(20); // 20.0 … 21.9 °C: crosses 21
    assert.equal((await post(`${a.url}/v1/uplink`, cbor(node.batch(1, 20)))).status, 200);
    assert.ok(
      own(a).some((e) => e.type === 'system.rule.fired'),
      own(a)
        .map((e) => e.type)
        .join(),
    );
    const before = own(b).map((e) => e.type);
    const f = await b.hub.mesh.round(b.hub.mesh.store.peers.get(a.hub.mesh.id)!);
    unsubscribe();
    assert.deepStrictEqual(f.errors, []);
    assert.equal(chainDigest(b.hub, node.id), chainDigest(a.hub, node.id), 'B holds the readings');
    assert.ok(seen.includes('mesh'), 'B stored them as replicated');
    const after = own(b).map((e) => e.type);
    assert.deepStrictEqual(after, before, 'B appended nothing: no firing, no effect, no percept');
    assert.ok(!after.includes('system.rule.fired'));
    const rules = b.hub.rules!.list();
    assert.deepStrictEqual(
      rules.map((r) => [r.id, r.firings]),
      [['lab-hot', 0]],
    );
  });

  it('restarted after the sync, the peer replays the replicated entries and still carries out nothing for them', async () => {
    const { b } = p;
    const before = own(b).map((e) => e.type);
    await b.hub.stop();
    // The page's transaction marked its entries decided on (the rules cursor): the replay does not take them as a firing a crash cut off.
    const addr = await b.hub.start();
    b.url = addr.url;
    assert.deepStrictEqual(
      own(b)
        .map((e) => e.type)
        .filter((t) => t.startsWith('system.rule.') || t.startsWith('effect.')),
      before.filter((t) => t.startsWith('system.rule.') || t.startsWith('effect.')),
      'no firing and no effect after the restart',
    );
    // Its count is what its own chain says it started: the replay decides on the replicated readings too, but that run was A's.
    assert.deepStrictEqual(
      b.hub.rules!.list().map((r) => [r.id, r.firings]),
      [['lab-hot', 0]],
    );
  });

  it('an uplink to the peer itself is acted on there', async () => {
    const { b } = p;
    node.append(5, 'sensor.reading');
    assert.equal((await post(`${b.url}/v1/uplink`, cbor(node.batch(21, 25)))).status, 200);
    assert.ok(
      own(b).some((e) => e.type.startsWith('percept.')),
      'B perceives what it received from the node',
    );
  });
});
