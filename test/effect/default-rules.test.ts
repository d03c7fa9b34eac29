import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { NodeOutputs } from '../../firmware/node/node-outputs.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { loadDefaultRules } from '../../host/effect/default-rules.js';
import { Hub } from '../../host/hub/hub.js';
import { checkRuleTargets, compileRule, type RuleDocument } from '../../host/rules/index.js';
import { DEMO_NODES } from '../../sim/node/demo-nodes.js';
import { asOwner, cbor, post, tempDir, TestNode } from '../hub/helpers.js';

/**
 * The rules `fazt start` ships with, and how a hub takes defaults that name
 * nodes it does not know yet: they wait for those nodes' boots, are added
 * once, and a default the owner removed stays removed.
 */
const tmp = tempDir('fazt-defaults-');
after(() => tmp.cleanup());
const T0 = 1_767_225_600_000;

// A default aimed at a node that enrols only after the hub started (as the demo's do).
const ledOnMotion = {
  id: 'led-on-motion',
  name: 'LED on motion',
  triggers: [{ kind: 'event', type: 'sensor.event', node: 'desk', component: 'pir', match: { type: 'motion-start' } }],
  actions: [{ kind: 'output', node: 'desk', output: 'led', op: 'pulse', ms: 30000 }],
};

async function open(dir: string, defaults: unknown[]) {
  let t = T0;
  const hub = new Hub({ dataDir: dir, port: 0, clock: () => (t += 5), rules: { defaults }, log: () => undefined });
  const url = asOwner(hub, await hub.start()).url;
  const own = () => [...hub.cartridge.chain(hub.hubLog.id)].map((e) => [e.type, (e.data as ValueMap).id]);
  return { hub, url, own };
}

describe('default rules', () => {
  it('the shipped files compile and aim at outputs the demo nodes drive, on pins their boards allow', () => {
    const docs = loadDefaultRules();
    assert.deepEqual(
      docs.map((d) => (d as { id: string }).id),
      ['desk-led-on-hallway-motion', 'living-room-warm'],
    );
    const nodes = DEMO_NODES.map((d) => ({ id: `id-${d.name}`, name: d.name, board: getBoard(d.board), outputs: new NodeOutputs(d.sensors).list }));
    for (const doc of docs) {
      const rule = compileRule(doc, { timeZone: 'UTC', nodes });
      checkRuleTargets(rule.doc as RuleDocument, nodes);
    }
    assert.deepEqual(nodes.find((n) => n.name === 'desk')?.outputs, [{ name: 'led', driver: 'digital-output', pin: 21 }]);
  });

  it('a default naming a node not yet enrolled waits for its boot, is added once, and stays removed once removed', async () => {
    const dir = `${tmp.dir}/a`;
    const desk = new TestNode(81);
    let { hub, url, own } = await open(dir, [ledOnMotion]);
    try {
      assert.deepEqual(own(), [], 'nothing added while the desk is unknown');
      assert.equal(hub.rules?.list().length, 0);
      hub.cartridge.addNode(desk.identity.publicKey, { name: 'desk', board: 'esp32-s3-devkitc-1' });
      desk.record('sensor.reading', 'bh1750', { name: 'illuminance', unit: 'lx', value: 300, quality: 'good', time: T0 }, T0);
      assert.equal((await post(`${url}/v1/uplink`, cbor(desk.batch(1, 1)))).status, 200);
      assert.deepEqual(own(), [], 'enrolled, but its outputs are known only from its boot');
      desk.record(
        'system.boot',
        'node',
        { firmware: 'test', board: 'esp32-s3-devkitc-1', sensors: 2, outputs: [{ name: 'led', driver: 'digital-output', pin: 21 }] },
        T0 + 1000,
      );
      assert.equal((await post(`${url}/v1/uplink`, cbor(desk.batch(2, 2)))).status, 200);
      assert.deepEqual(own(), [['system.rule.added', 'led-on-motion']]);
      assert.deepEqual(
        hub.rules?.list().map((r) => [r.id, r.enabled]),
        [['led-on-motion', true]],
      );
    } finally {
      await hub.stop();
    }
    ({ hub, url, own } = await open(dir, [ledOnMotion]));
    try {
      assert.deepEqual(own(), [['system.rule.added', 'led-on-motion']], 'a restart adds it no second time');
      hub.rules?.remove('led-on-motion');
    } finally {
      await hub.stop();
    }
    ({ hub, url, own } = await open(dir, [ledOnMotion]));
    try {
      assert.deepEqual(own().at(-1), ['system.rule.removed', 'led-on-motion']);
      assert.equal(hub.rules?.list().length, 0, 'removed by the owner: not added again');
    } finally {
      await hub.stop();
    }
  });

  it('a default that can never be added (a bad document) still fails the start', async () => {
    const dir = `${tmp.dir}/b`;
    const { hub } = await open(dir, []);
    const desk = new TestNode(82);
    hub.cartridge.addNode(desk.identity.publicKey, { name: 'desk', board: 'esp32-s3-devkitc-1' });
    await hub.stop();
    const bad = { ...ledOnMotion, actions: [{ kind: 'output', node: 'desk', op: 'on' }] };
    await assert.rejects(open(dir, [bad]), { code: 'schema' });
  });
});
