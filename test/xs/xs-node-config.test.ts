import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BatchReader } from '../../firmware/batch/batch-reader.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { nodeConfigFromJson } from '../../firmware/node/node-config.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import type { UplinkSender } from '../../sim/xs/bridge-host.js';

/** Reads the node's batches, compact (the node's default) or full. */
const reader = new BatchReader(nodeCrypto);

const seed = new Uint8Array(32).fill(0x42);
const hubKey = new Uint8Array(32).fill(1);

function config(secretKey: JsonValue, publicKey: JsonValue): JsonValue {
  return {
    board: 'esp32-devkitc',
    secretKey,
    hub: { url: 'http://127.0.0.1:1', publicKey },
    sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }],
    uplink: { batchSize: 4, maxDelayMs: 2000 },
    buffer: { budgetBytes: 65536 },
  };
}

describe('node configuration keys in hex', () => {
  const nodes: XsNode[] = [];
  after(async () => {
    for (const n of nodes) await n.close();
  });
  it('hex and the {"$bytes"} form decode to the same keys (upper-case hex too)', () => {
    const hex = nodeConfigFromJson(config(toHex(seed), toHex(hubKey)));
    const bytes = nodeConfigFromJson(config(toJsonValue(seed), toJsonValue(hubKey)));
    assert.deepStrictEqual(hex.secretKey, seed);
    assert.deepStrictEqual(hex.hub.publicKey, hubKey);
    assert.deepStrictEqual(hex, bytes);
    assert.deepStrictEqual(nodeConfigFromJson(config(toHex(seed).toUpperCase(), toHex(hubKey))).secretKey, seed);
    assert.throws(() => nodeConfigFromJson(config('42', toHex(hubKey))), /secretKey must be 64 hex digits/);
  });
  it('the firmware inside XS reads a configuration with hex keys and signs as that key', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const batches: string[] = [];
    let known: EventLogHead | undefined;
    const uplink: UplinkSender = async (hex) => {
      const batch = reader.read(decodeCbor(Buffer.from(hex, 'hex')));
      const r = verifyBatch(batch, { crypto: nodeCrypto, known });
      known = r.head;
      batches.push(batch.node);
      return { status: 200, body: Buffer.from(JSON.stringify({ ack: r.head.seq, stored: r.fresh.length })) };
    };
    const n = await XsNode.start({
      name: 'hex',
      board: getBoard('esp32-devkitc'),
      clock,
      config: config(toHex(seed), toHex(hubKey)),
      uplink,
      wire: (b: SimBoard) => b.attachI2c(new Bme280Model(0x76, clock)),
    });
    nodes.push(n);
    assert.equal(n.runtime, 'xs');
    const id = identityFromSecretKey(seed, nodeCrypto).id;
    assert.equal(n.id, id);
    const { status } = await n.run(clock.now() + 10_000);
    assert.equal(status.uplink.failures, 0);
    assert.ok(batches.length >= 1, 'batches reached the receiver');
    assert.ok(
      batches.every((node) => node === id),
      'signed by the key the hex named',
    );
  });
});
