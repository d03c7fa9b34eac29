import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { idFromHash } from '../../firmware/event/envelope.js';
import { verifyChain } from '../../firmware/event/verify-chain.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { XsSleepingNode } from '../../sim/node/xs-sleeping-node.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { ScriptedHub } from '../downlink/scripted-hub.js';

const T0 = Date.UTC(2026, 0, 1);
const PERIOD = 10 * 60_000;
const nodes: XsSleepingNode[] = [];

describe('a battery node in deep sleep with its firmware in XS', () => {
  after(async () => {
    for (const n of nodes) await n.close();
  });

  it('wakes on simulated time, keeps its buffer through an outage, applies a command from an ack, one chain across boots', async () => {
    const clock = new VirtualClock(T0);
    const identity = identityFromSecretKey(new Uint8Array(32).fill(0x41), nodeCrypto);
    const hub = new ScriptedHub(() => Math.floor(clock.now()), identity.publicKey);
    let reachable = true;
    const uplink = async (hex: string) => {
      if (!reachable) return { error: 'connect EHOSTUNREACH 127.0.0.1:1' };
      const reply = await hub.uplink(hex);
      const done = new Set(hub.stored.filter((e) => e.type.startsWith('effect.')).map((e) => (e.data as { command: string }).command));
      hub.commands = hub.commands.filter((c) => !done.has(c.id));
      return reply;
    };
    const config: JsonValue = {
      board: 'esp32-devkitc',
      secretKey: toJsonValue(identity.secretKey),
      hub: { url: 'http://127.0.0.1:1', publicKey: toJsonValue(hub.key.publicKey) },
      sensors: [
        { name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 60_000 },
        { name: 'relay', driver: 'digital-output', pin: 25, intervalMs: 3_600_000 },
      ],
      uplink: { batchSize: 16, maxDelayMs: 60_000 },
      buffer: { budgetBytes: 16_384 },
      power: { mode: 'deep-sleep', wakeEveryMs: PERIOD },
    };
    const node = await XsSleepingNode.start({
      name: 'xs-battery',
      board: getBoard('esp32-devkitc'),
      clock,
      config,
      uplink,
      wire: (b) => b.attachI2c(new Bme280Model(0x76, clock)),
    });
    nodes.push(node);
    const wakes = [];
    for (let i = 0; i < 6; i++) {
      reachable = i !== 2 && i !== 3;
      if (i === 4)
        hub.commands = [
          { id: idFromHash(nodeCrypto.sha256(encodeCbor(['xs-sleep', 1]))), seq: 1, action: { output: 'relay', op: 'on' }, notAfter: clock.now() + 3_600_000 },
        ];
      wakes.push(await node.wake());
      assert.equal(clock.now(), T0 + (i + 1) * PERIOD, 'each wake a period after the last, in simulated time');
    }
    assert.deepStrictEqual(
      wakes.map((w) => [w.cause, w.summary.reason, w.timersLeft]),
      [
        ['power-on', 'sent', 0],
        ['timer', 'sent', 0],
        ['timer', 'unreachable', 0],
        ['timer', 'unreachable', 0],
        ['timer', 'sent', 0],
        ['timer', 'sent', 0],
      ],
    );
    assert.equal(wakes[3].summary.restored, wakes[2].summary.saved, 'what one wake kept, the next restored');
    assert.equal(wakes[4].summary.restored, wakes[3].summary.saved);
    assert.ok(wakes[3].meter.compute > 0, 'the wake ran in XS');
    assert.equal(hub.events('effect.applied').length, 1);
    const seqs = hub.stored.map((e) => e.seq);
    assert.deepStrictEqual(
      seqs,
      seqs.map((_, i) => i + 1),
    );
    verifyChain(identity.id, hub.stored, nodeCrypto);
    const bme = hub.events('sensor.reading').filter((e) => e.source.endsWith('/bme280'));
    assert.deepStrictEqual(
      [...new Set(bme.map((e) => Math.floor((e.time - T0) / PERIOD)))],
      [0, 1, 2, 3, 4, 5],
      'a BME280 sample every wake, those of the unreachable wakes too',
    );
    assert.equal(bme.length, 6 * 3, 'temperature, humidity and pressure once a wake');
  });
});
