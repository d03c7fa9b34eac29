import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BatchReader } from '../../firmware/batch/batch-reader.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import type { SimulatedNode } from '../../sim/node/simulated-node.js';
import { XsNode } from '../../sim/node/xs-node.js';
import type { SimHealthModel } from '../../hal/sim/sim-health.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import type { UplinkSender } from '../../sim/xs/bridge-host.js';

/** Reads the node's batches, compact (the node's default) or full. */
const reader = new BatchReader(nodeCrypto);

/** Stores what verifies, as the hub does. */
class Receiver {
  head: EventLogHead | undefined;
  stored: EventEntry[] = [];
  readonly send: UplinkSender = async (hex) => {
    const r = verifyBatch(reader.read(decodeCbor(Buffer.from(hex, 'hex'))), { crypto: nodeCrypto, known: this.head });
    this.stored.push(...r.fresh);
    this.head = r.head;
    return { status: 200, body: Buffer.from(JSON.stringify({ ack: r.head.seq, stored: r.fresh.length })) };
  };
}

function config(health?: { intervalMs: number }): JsonValue {
  const c: { [k: string]: JsonValue } = {
    board: 'esp32-devkitc',
    secretKey: toJsonValue(new Uint8Array(32).fill(0x43)),
    hub: { url: 'http://127.0.0.1:1', publicKey: toJsonValue(new Uint8Array(32).fill(1)) },
    sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 60_000 }],
    uplink: { batchSize: 8, maxDelayMs: 5000 },
    buffer: { budgetBytes: 65536 },
  };
  if (health) c.health = health;
  return c;
}

const nodes: SimulatedNode[] = [];
async function node(engine: 'xs' | 'node', health: { intervalMs: number } | undefined, model: SimHealthModel | undefined) {
  const rx = new Receiver();
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const o = {
    name: 'n1',
    board: getBoard('esp32-devkitc'),
    clock,
    config: config(health),
    uplink: rx.send,
    wire: (b: SimBoard) => {
      b.attachI2c(new Bme280Model(0x76, clock));
      if (model) b.health.set(model);
    },
  };
  const n = engine === 'xs' ? await XsNode.start(o) : new NodeRuntimeNode('n1', o);
  nodes.push(n);
  return { n, clock, rx };
}

type Health = Record<string, JsonValue>;
const healthOf = (rx: Receiver) => rx.stored.filter((e) => e.type === 'system.health').map((e) => ({ time: e.time, data: toJsonValue(e.data) as Health }));

describe('system.health: the node reports on itself', () => {
  after(async () => {
    for (const n of nodes) await n.close();
  });
  for (const engine of ['xs', 'node'] as const) {
    it(`${engine}: at the interval, with every field; a scripted leak shows as a falling freeHeap`, async () => {
      const { n, clock, rx } = await node(
        engine,
        { intervalMs: 60_000 },
        { heapBytes: 120_000, leakBytesPerHour: 6000, largestBlockShare: 0.5, rssi: -82, resetReason: 'power-on' },
      );
      const t0 = clock.now();
      await n.run(t0 + 5 * 60_000 + 30_000);
      const hs = healthOf(rx);
      assert.equal(hs.length, 5, `${hs.length} health events in 5.5 min`);
      // On the injected timers: each a minute after the last (a sample's settle time may delay one by a few ms).
      hs.forEach((h, i) => assert.ok(Math.abs(h.time - t0 - (i + 1) * 60_000) < 50, `event ${i} at ${h.time - t0}`));
      assert.deepStrictEqual(Object.keys(hs[0].data).sort(), [
        'bufferBudgetBytes',
        'bufferBytes',
        'firmware',
        'freeHeap',
        'largestFreeBlock',
        'minFreeHeap',
        'resetReason',
        'rssi',
        'uplinkRetries',
        'uptimeMs',
      ]);
      const first = hs[0].data;
      assert.ok(Math.abs((first.uptimeMs as number) - 60_000) < 50, `uptime ${first.uptimeMs}`);
      const free0 = first.freeHeap as number;
      assert.ok(free0 <= 119_900 && free0 > 119_890, `freeHeap ${free0}`); // 6000 B/h is 100 B a minute
      assert.equal(first.largestFreeBlock, Math.floor(free0 / 2));
      assert.equal(first.rssi, -82);
      assert.equal(first.resetReason, 'power-on');
      assert.equal(first.firmware, '0.1.0');
      assert.equal(first.uplinkRetries, 0);
      assert.equal(first.bufferBudgetBytes, 65536);
      assert.ok(typeof first.bufferBytes === 'number' && first.bufferBytes > 0 && first.bufferBytes < 65536, `bufferBytes ${first.bufferBytes}`);
      const heaps = hs.map((h) => h.data.freeHeap as number);
      for (let i = 1; i < heaps.length; i++) assert.ok(Math.abs(heaps[i - 1] - heaps[i] - 100) <= 2, `falling ~100 B a minute: ${heaps}`);
      assert.deepStrictEqual(
        hs.map((h) => h.data.minFreeHeap),
        heaps,
      );
    });
    it(`${engine}: a figure the backend does not have is null, never a made-up number`, async () => {
      const { n, clock, rx } = await node(engine, { intervalMs: 60_000 }, { rssi: -60 });
      await n.run(clock.now() + 70_000);
      const [h] = healthOf(rx);
      assert.equal(h.data.rssi, -60);
      for (const k of ['freeHeap', 'largestFreeBlock', 'minFreeHeap', 'resetReason']) assert.equal(h.data[k], null, k);
    });
  }
  it('health 0 turns it off', async () => {
    const { n, clock, rx } = await node('xs', { intervalMs: 0 }, { heapBytes: 100_000 });
    await n.run(clock.now() + 3_600_000);
    assert.ok(rx.stored.length > 10);
    assert.equal(healthOf(rx).length, 0);
  });
  it('without a health setting, every 15 minutes', async () => {
    const { n, clock, rx } = await node('node', undefined, undefined);
    const t0 = clock.now();
    await n.run(t0 + 31 * 60_000);
    assert.deepStrictEqual(
      healthOf(rx).map((h) => Math.round((h.time - t0) / 60_000)),
      [15, 30],
    );
  });
});
