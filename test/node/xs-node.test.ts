import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BatchReader } from '../../firmware/batch/batch-reader.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import type { Reading } from '../../firmware/event/reading.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import type { SimulatedNode } from '../../sim/node/simulated-node.js';
import { XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import type { UplinkSender } from '../../sim/xs/bridge-host.js';

/** Reads the node's batches, compact (the node's default) or full. */
const reader = new BatchReader(nodeCrypto);

/**
 * The node firmware inside XS, against a receiver that verifies and stores
 * batches the way the hub does (verifyBatch against the stored head). The
 * hub's own tests cover HTTP and SQLite; here the node's side is the subject.
 */
class Receiver {
  head: EventLogHead | undefined;
  stored: EventEntry[] = [];
  gaps: { from: number; to: number }[] = [];
  down = false;
  readonly send: UplinkSender = async (hex) => {
    if (this.down) return { error: 'connection refused' };
    const r = verifyBatch(reader.read(decodeCbor(Buffer.from(hex, 'hex'))), { crypto: nodeCrypto, known: this.head });
    this.stored.push(...r.fresh);
    if (r.gap) this.gaps.push(r.gap);
    this.head = r.head;
    return { status: 200, body: Buffer.from(JSON.stringify({ ack: r.head.seq, stored: r.fresh.length })) };
  };
}

function config(budgetBytes = 65536): JsonValue {
  return {
    board: 'esp32-devkitc',
    secretKey: toJsonValue(new Uint8Array(32).fill(0x42)),
    hub: { url: 'http://127.0.0.1:1', publicKey: toJsonValue(new Uint8Array(32).fill(1)) },
    sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }],
    uplink: { batchSize: 8, maxDelayMs: 5000 },
    buffer: { budgetBytes },
  };
}

const nodes: SimulatedNode[] = [];
async function node(receiver: Receiver, budget?: number, engine: 'xs' | 'node' = 'xs'): Promise<{ n: SimulatedNode; clock: VirtualClock; model: Bme280Model }> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  let model: Bme280Model | undefined;
  const o = {
    name: 'n1',
    board: getBoard('esp32-devkitc'),
    clock,
    config: config(budget),
    uplink: receiver.send,
    wire: (b: SimBoard) => {
      model = new Bme280Model(0x76, clock);
      b.attachI2c(model);
    },
  };
  const n = engine === 'xs' ? await XsNode.start(o) : new NodeRuntimeNode('n1', o);
  nodes.push(n);
  return { n, clock, model: model as Bme280Model };
}
const readingsOf = (es: EventEntry[], name: string) => es.filter((e) => e.type === 'sensor.reading' && (e.data as unknown as Reading).name === name);

describe('node firmware inside XS', () => {
  after(async () => {
    for (const n of nodes) await n.close();
  });
  for (const engine of ['xs', 'node'] as const)
    it(`${engine}: samples on schedule, signs batches, and the receiver verifies and stores them with the model's values`, async () => {
      const rx = new Receiver();
      const { n, clock, model } = await node(rx, undefined, engine);
      model.setValue('temperature', 23.25);
      model.setValue('humidity', 41);
      model.setValue('pressure', 100200);
      const { status } = await n.run(clock.now() + 60_000);
      assert.equal(status.uplink.failures, 0);
      const temps = readingsOf(rx.stored, 'temperature');
      assert.ok(temps.length >= 50, `${temps.length}`);
      for (const e of temps) assert.ok(Math.abs(((e.data as unknown as Reading).value as number) - 23.25) <= 0.01);
      assert.equal(rx.stored[0].type, 'system.boot');
      assert.deepStrictEqual(
        rx.stored.map((e) => e.seq),
        rx.stored.map((_, i) => i + 1),
      );
    });
  for (const engine of ['xs', 'node'] as const)
    it(`${engine}: a poke samples at once and sends it without waiting for the batching window; the boot declares the configuration, no secret`, async () => {
      const rx = new Receiver();
      const { n, clock, model } = await node(rx, undefined, engine);
      model.setValue('temperature', 21);
      const t = clock.now() + 10_500; // between two scheduled samples (every 1000 ms); the batching window is 5000 ms
      await n.run(t);
      const storedBefore = rx.stored.length;
      model.setValue('temperature', 30.5);
      const r = await n.sampleNow(['bme280', 'no-such-sensor'], t);
      assert.deepStrictEqual(r.sampled, ['bme280']);
      assert.equal(r.unsent, 0, 'everything recorded was sent and acknowledged before the poke returned');
      const fresh = readingsOf(rx.stored.slice(storedBefore), 'temperature').filter((e) => e.seq >= r.from && e.seq <= r.to);
      assert.equal(fresh.length, 1, 'one sample, taken on request, stored before the poke returned');
      // The BME280's forced conversion takes ~10 ms of simulated time; the next scheduled slot is 500 ms away.
      assert.ok(fresh[0].time >= t && fresh[0].time < t + 50, `sampled at the moment of the poke (${fresh[0].time - t} ms after it), not at the next slot`);
      assert.ok(Math.abs(((fresh[0].data as unknown as Reading).value as number) - 30.5) <= 0.01);
      // The schedule keeps its slots: the next scheduled sample is at t + 500 (sent within the 5 s window).
      await n.run(t + 6000);
      const next = readingsOf(rx.stored, 'temperature').find((e) => e.seq > r.to);
      assert.ok(next && next.time >= t + 500 && next.time < t + 550, `next scheduled sample ${next && next.time - t} ms after the poke`);
      const boot = rx.stored[0].data as unknown as {
        config: { sensors: { name: string; driver: string; i2c: { address: number }; intervalMs: number }[]; uplink: unknown };
      };
      assert.deepStrictEqual(boot.config.sensors, [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }]);
      assert.deepStrictEqual(boot.config.uplink, { batchSize: 8, maxDelayMs: 5000 });
      assert.ok(!JSON.stringify(toJsonValue(rx.stored[0].data)).includes('secretKey'), 'the key stays on the node');
    });
  it('keeps readings through an hour offline and backfills them in order with their original timestamps', async () => {
    const rx = new Receiver();
    const { n, clock } = await node(rx, 4 * 1024 * 1024); // an hour at 1 Hz × 3 channels is ~2.4 MB of events
    const t0 = clock.now();
    await n.run(t0 + 10_000);
    rx.down = true;
    const down = await n.run(t0 + 10_000 + 3_600_000);
    assert.ok(down.status.buffered > 3000 * 3, `buffered ${down.status.buffered}`);
    assert.ok(down.status.uplink.failures > 5);
    rx.down = false;
    await n.run(t0 + 10_000 + 3_600_000 + 600_000);
    const temps = readingsOf(rx.stored, 'temperature').map((e) => (e.data as unknown as Reading).time);
    const during = temps.filter((t) => t > t0 + 10_000 && t < t0 + 3_610_000);
    assert.ok(during.length >= 3590, `readings from the outage: ${during.length}`);
    for (let i = 1; i < temps.length; i++) assert.ok(temps[i] > temps[i - 1], 'in order');
    assert.ok(
      during.every((t) => (t - t0) % 1000 < 50),
      'each keeps the moment it was sampled',
    );
    assert.deepStrictEqual(
      rx.stored.map((e) => e.seq),
      rx.stored.map((_, i) => i + 1),
      'nothing lost, nothing twice',
    );
  });
  it('on overflow drops the oldest, records how many and which seqs, and the receiver accepts the signed gap', async () => {
    const rx = new Receiver();
    rx.down = true; // from boot: a node whose clock waits for its hub sends its first batch at once
    const { n, clock } = await node(rx, 16_384);
    const t0 = clock.now();
    const s = await n.run(t0 + 600_000);
    assert.ok(s.status.dropped > 0, 'dropped some');
    assert.ok(s.status.bufferBytes <= 16_384);
    rx.down = false;
    await n.run(t0 + 700_000);
    assert.equal(rx.gaps.length, 1);
    const overflow = rx.stored.filter((e) => e.type === 'system.buffer.overflow').map((e) => e.data as { dropped: number; from: number; to: number });
    assert.ok(overflow.length > 0, 'the loss is recorded as an event');
    const last = overflow[overflow.length - 1];
    const final = await n.run(t0 + 700_001);
    assert.equal(last.dropped, final.status.dropped, 'the count of every entry dropped');
    assert.deepStrictEqual({ from: last.from, to: last.to }, rx.gaps[0], 'the seq range the signed gap covers');
    assert.equal(rx.gaps[0].from, 1);
  });
});
