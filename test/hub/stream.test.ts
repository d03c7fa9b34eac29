import assert from 'node:assert/strict';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { parseJson } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { cbor, post, startHub, TestNode } from './helpers.js';

/** A minimal EventSource reader: frames as they arrive, comments counted, end noticed. */
class SseClient {
  events: EventEntry[] = [];
  comments: string[] = [];
  ended = false;
  status = 0;
  private buf = '';
  private res: IncomingMessage | undefined;

  static open(url: string): Promise<SseClient> {
    const c = new SseClient();
    return new Promise((resolve, reject) => {
      const req = httpGet(url, (res) => {
        c.res = res;
        c.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => c.feed(chunk));
        res.on('end', () => (c.ended = true));
        res.on('close', () => (c.ended = true));
        resolve(c);
      });
      req.on('error', reject);
    });
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const frame = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      if (frame.startsWith(':')) this.comments.push(frame.slice(1).trim());
      const lines = frame.split('\n');
      if (lines[0] === 'event: fazt') this.events.push(parseJson(lines[1].slice('data: '.length)) as unknown as EventEntry);
    }
  }

  /** Waits (bounded) until the predicate holds. */
  async until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.res?.destroy();
  }
}

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
