import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cbor, post, startHub, TestNode } from './helpers.js';
import { SseClient } from './sse-client.js';

describe('GET /v1/stream', () => {
  it('delivers every stored event live, filtered by node and by type pattern, with heartbeats, and ends on stop', async () => {
    const h = await startHub({ heartbeatMs: 50 });
    const a = new TestNode(41);
    const b = new TestNode(42);
    try {
      for (const n of [a, b]) h.hub.cartridge.addNode(n.identity.publicKey);
      const all = await SseClient.open(`${h.url}/v1/stream`);
      const onlyB = await SseClient.open(`${h.url}/v1/stream?node=${b.id}`);
      const motion = await SseClient.open(`${h.url}/v1/stream?type=sensor.%23`);
      assert.deepStrictEqual([all.status, onlyB.status, motion.status], [200, 200, 200]);
      a.append(3, 'system.boot', 'core');
      a.append(2, 'sensor.motion', 'pir');
      b.append(4);
      await post(`${h.url}/v1/uplink`, cbor(a.batch(1, 5)));
      await post(`${h.url}/v1/uplink`, cbor(b.batch(1, 4)));
      await post(`${h.url}/v1/uplink`, cbor(b.batch(1, 4))); // a replay: stored nothing, streams nothing
      await all.until('9 events', () => all.events.length >= 9);
      await motion.until('6 events', () => motion.events.length >= 6);
      await onlyB.until('4 events', () => onlyB.events.length >= 4);
      assert.deepStrictEqual(all.events, [...a.entries, ...b.entries]);
      assert.deepStrictEqual(onlyB.events, b.entries);
      assert.deepStrictEqual(
        motion.events.map((e) => e.type),
        ['sensor.motion', 'sensor.motion', 'sensor.reading', 'sensor.reading', 'sensor.reading', 'sensor.reading'],
      );
      await all.until('a heartbeat', () => all.comments.includes('heartbeat'));
      const bad = await SseClient.open(`${h.url}/v1/stream?type=a.%23.b`);
      assert.equal(bad.status, 400);
      bad.close();
      const started = Date.now();
      await h.stop();
      await all.until('the stream to end', () => all.ended && onlyB.ended && motion.ended);
      assert.ok(Date.now() - started < 1500, 'stop ends streams without waiting for the grace period');
      assert.equal(all.events.length, 9, 'nothing more after the replay');
    } finally {
      await h.stop();
    }
  });
});
