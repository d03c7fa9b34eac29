import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { checkLinks } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import type { SimulatedNode } from '../../sim/node/simulated-node.js';
import { httpDownlink, httpUplink, XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { tempDir } from '../hub/helpers.js';

/**
 * The downlink end to end: a real hub (HTTP, SQLite) and a node with a
 * relay on a GPIO (the digital-output driver), its firmware in XS (and on
 * Node). A command queued at the hub reaches the node in its next signed
 * answer, the simulated pin changes, and the node's signed effect.applied,
 * with the pin read back, settles the command at the hub.
 */
const T0 = Date.UTC(2026, 4, 1);
const PIN = 4;
const POLL_MS = 2000;
let world = new VirtualClock(T0);
let hub: Hub;
let url = '';
const tmp = tempDir('fazt-downlink-');
const nodes: SimulatedNode[] = [];

async function relayNode(engine: 'xs' | 'node', seed: number, sensors: JsonValue[] = []) {
  const clock = new VirtualClock(T0);
  world = clock; // the hub reads the clock of the node under test
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  hub.cartridge.addNode(identity.publicKey, { name: `relay-${engine}`, board: 'esp32-devkitc' });
  let board: SimBoard | undefined;
  const o = {
    name: `relay-${engine}`,
    board: getBoard('esp32-devkitc'),
    clock,
    config: {
      board: 'esp32-devkitc',
      secretKey: toJsonValue(identity.secretKey),
      hub: { url, publicKey: toJsonValue(hub.publicKey) },
      sensors: [{ name: 'relay', driver: 'digital-output', pin: PIN, intervalMs: 3_600_000 }, ...sensors],
      // Batches would wait ten minutes: only the poll brings a command sooner.
      uplink: { batchSize: 64, maxDelayMs: 600_000, downlinkPollMs: POLL_MS },
      buffer: { budgetBytes: 65_536 },
    } as JsonValue,
    uplink: httpUplink(() => url),
    downlink: httpDownlink(() => url),
    collect: true,
    wire: (b: SimBoard) => {
      board = b;
    },
  };
  const node: SimulatedNode = engine === 'xs' ? await XsNode.start(o) : new NodeRuntimeNode(o.name, o);
  nodes.push(node);
  return { id: identity.id, node, clock, pin: () => (board as SimBoard).pins.driven(PIN), run: (until: number) => node.run(until) };
}

const stored = (id: string): EventEntry[] => [...hub.cartridge.chain(id)];

before(async () => {
  hub = new Hub({ dataDir: tmp.dir, port: 0, clock: () => Math.floor(world.now()), log: () => undefined });
  url = (await hub.start()).url;
});
after(async () => {
  for (const n of nodes) await n.close();
  await hub.stop();
  tmp.cleanup();
});

describe('a command from the hub to a relay', () => {
  for (const [engine, seed] of [
    ['xs', 51],
    ['node', 52],
  ] as const)
    it(`${engine}: reaches an idle node within downlinkPollMs by its poll, the pin follows, the signed effect.applied settles it at the hub`, async () => {
      const n = await relayNode(engine, seed);
      await n.run(T0 + 5000);
      const boot = stored(n.id).find((e) => e.type === 'system.boot');
      assert.deepStrictEqual(
        (boot?.data as { outputs?: unknown } | undefined)?.outputs,
        [{ name: 'relay', driver: 'digital-output', pin: PIN }],
        'the node declares its output at boot',
      );
      assert.equal(n.pin(), 0);
      const before = stored(n.id).length;
      const q = hub.cartridge.commands;
      const t = n.clock.now();
      const c = q.enqueue(n.id, { output: 'relay', op: 'on' }, { notAfterMs: Math.floor(t) + 60_000 });
      const { status } = await n.run(t + POLL_MS);
      assert.equal(n.pin(), 1, `the pin is high within ${POLL_MS} ms of the enqueue`);
      assert.ok((status.downlink?.polls ?? 0) >= 2, `it asked by polls: ${JSON.stringify(status.downlink)}`);
      assert.deepStrictEqual(
        stored(n.id)
          .slice(before)
          .map((e) => [e.type, e.source.split('/')[1]]),
        [
          ['sensor.event', 'relay'],
          ['effect.applied', 'relay'],
        ],
        "the driver's own 'on' event and the effect went up at once (batches otherwise wait 10 min)",
      );
      const applied = stored(n.id).filter((e) => e.type === 'effect.applied');
      assert.equal(applied.length, 1);
      assert.deepStrictEqual(applied[0].data, { command: c.id, seq: 1, output: 'relay', op: 'on', value: true });
      assert.deepStrictEqual([q.get(c.id)?.state, q.get(c.id)?.result], ['applied', applied[0].id]);
      checkLinks(n.id, stored(n.id), nodeCrypto);
    });

  it('xs: a pulse turns the pin on and, after its ms, off; a command for an output the node lacks never leaves the hub', async () => {
    const n = await relayNode('xs', 53);
    await n.run(T0 + 5000);
    const q = hub.cartridge.commands;
    assert.throws(() => q.enqueue(n.id, { output: 'siren', op: 'on' }, { notAfterMs: Math.floor(n.clock.now()) + 60_000 }), {
      code: 'unknown-output',
      message: /has no output 'siren'; its outputs: relay \(digital-output\)/,
    });
    const c = q.enqueue(n.id, { output: 'relay', op: 'pulse', ms: 3000 }, { notAfterMs: Math.floor(n.clock.now()) + 60_000 });
    await n.run(n.clock.now() + POLL_MS);
    assert.equal(n.pin(), 1);
    await n.run(n.clock.now() + 3000);
    assert.equal(n.pin(), 0, 'off again after the pulse');
    assert.equal(q.get(c.id)?.state, 'applied');
    const applied = stored(n.id).find((e) => e.type === 'effect.applied');
    assert.deepStrictEqual(applied?.data, { command: c.id, seq: 1, output: 'relay', op: 'pulse', ms: 3000, value: true });
  });
});
