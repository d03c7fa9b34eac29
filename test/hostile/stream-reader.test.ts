import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { EventStream, type EventStreamOptions } from '../../host/hub/event-stream.js';
import { until } from '../helpers/wait.js';
import { crypto, TestNode } from '../hub/helpers.js';
import { rawConnect } from './raw-client.js';

const FRAME = 64 * 1024;
const node = new TestNode(41);
const log = new EventLog({ nodeId: node.id, crypto, clock: () => 1_767_225_600_000 });
/** One event whose frame on the stream is about 64 KiB. */
const big = (): EventEntry => log.append('system.note', 'test', { text: 'x'.repeat(FRAME) });

/** An event stream served on loopback, as the hub serves GET /v1/stream. */
async function served(options: EventStreamOptions): Promise<{ stream: EventStream; server: Server; port: number; drops: string[] }> {
  const drops: string[] = [];
  const stream = new EventStream({ ...options, onDrop: (from, reason) => drops.push(`${from} ${reason}`) });
  const server = createServer((_req, res) => stream.add(res, {}));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { stream, server, port: (server.address() as AddressInfo).port, drops };
}

/** A client that asks for the stream and then never reads a byte. */
async function neverReads(port: number, from: string) {
  const c = await rawConnect(port, from);
  c.socket.write('GET /v1/stream HTTP/1.1\r\nHost: hub\r\n\r\n');
  c.socket.pause();
  return c;
}

const connections = (server: Server) => new Promise<number>((ok, fail) => server.getConnections((e, n) => (e ? fail(e) : ok(n))));

/** Waits until the server holds `n` connections (a destroyed socket is forgotten once its handle has closed). */
async function holds(server: Server, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await connections(server)) === n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(await connections(server), n, 'connections the server holds');
}
const turn = () => new Promise((r) => setImmediate(r));

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('event stream clients that never read', () => {
  it('is dropped once the hub has queued more than the bound for it, and what was queued is released', async () => {
    const bound = 512 * 1024;
    const s = await served({ maxBufferedBytes: bound, stallMs: 60_000 });
    close = () => new Promise((ok) => s.server.close(() => ok()));
    const c = await neverReads(s.port, '127.0.0.11');
    await until(() => s.stream.size === 1, 'the stream to open');
    let written = 0;
    let peak = 0;
    // The kernel's socket buffers take the first megabytes; then the hub queues, until the bound.
    while (s.stream.size === 1 && written < 256 * 1024 * 1024) {
      s.stream.publish([big()]);
      written += FRAME;
      peak = Math.max(peak, s.stream.bufferedBytes);
      await turn();
    }
    assert.equal(s.stream.size, 0, `still subscribed after ${written} bytes`);
    assert.ok(peak > bound && peak <= bound + 2 * FRAME, `queued at most the bound and a frame: ${peak}`);
    assert.equal(s.stream.bufferedBytes, 0);
    assert.deepStrictEqual(s.drops, ['127.0.0.11 buffer-full']);
    await holds(s.server, 0); // the socket is gone
    c.socket.resume(); // the client reads at last, and finds the connection closed
    await c.closed;
  });

  it('is dropped when its socket stays unwritable past the stall bound, though under the byte bound; a reading client stays', async () => {
    const s = await served({ maxBufferedBytes: 1024 * 1024 * 1024, stallMs: 200 });
    close = () => new Promise((ok) => s.server.close(() => ok()));
    const stuck = await neverReads(s.port, '127.0.0.12');
    const reader = await rawConnect(s.port, '127.0.0.13');
    reader.socket.write('GET /v1/stream HTTP/1.1\r\nHost: hub\r\n\r\n');
    await until(() => s.stream.size === 2, 'both streams to open');
    // Write until the hub holds frames it cannot hand to the stuck client's socket.
    while (s.stream.size === 2 && s.stream.bufferedBytes < 4 * FRAME) {
      s.stream.publish([big()]);
      await turn();
    }
    await until(() => s.stream.size === 1, 'the stalled client to be dropped', 5000);
    assert.deepStrictEqual(s.drops, ['127.0.0.12 stalled']);
    await until(() => s.stream.bufferedBytes === 0, 'nothing held once the reader has caught up');
    await holds(s.server, 1); // the reader is still connected
    stuck.socket.resume();
    await stuck.closed;
    reader.socket.destroy();
  });
});

describe('event stream clients that read', () => {
  it('takes commits stored in one go far larger than the bound whole while a client that never reads is dropped at a later commit', async () => {
    const bound = 256 * 1024;
    const s = await served({ maxBufferedBytes: bound, stallMs: 60_000 });
    close = () => new Promise((ok) => s.server.close(() => ok()));
    const stuck = await neverReads(s.port, '127.0.0.14');
    const reader = await rawConnect(s.port, '127.0.0.15');
    // Counts frames as they arrive (a marker may be split between two chunks: the tail is carried).
    let frames = 0;
    let tail = '';
    const marker = 'event: fazt\n';
    reader.socket.on('data', (d: string) => {
      const text = tail + d;
      for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) frames++;
      tail = text.slice(-(marker.length - 1));
    });
    reader.socket.write('GET /v1/stream HTTP/1.1\r\nHost: hub\r\n\r\n');
    await until(() => s.stream.size === 2, 'both streams to open');
    // 24 MiB stored in one go, 48 commits of 64 events as a group commit stores them: a hundred times
    // the bound, and more than the kernel's socket buffers take.
    const burst = Array.from({ length: 3072 }, () => log.append('system.note', 'test', { text: 'y'.repeat(8 * 1024) }));
    for (let i = 0; i < burst.length; i += 64) s.stream.publish(burst.slice(i, i + 64));
    await until(
      () => frames === burst.length || s.stream.size < 2,
      'the reader to take every commit',
      20_000,
      () => ({ frames }),
    );
    assert.equal(frames, burst.length, 'the reader received every event of the commits');
    assert.deepStrictEqual(s.drops, [], 'nobody dropped within one turn');
    // Later turns' commits: the client that took nothing since is past the bound and goes; the reader stays.
    for (let i = 0; i < 100 && s.stream.size === 2; i++) {
      s.stream.publish([log.append('system.note', 'test', { text: 'after' })]);
      await turn();
    }
    assert.deepStrictEqual(s.drops, ['127.0.0.14 buffer-full']);
    assert.equal(s.stream.size, 1);
    await until(() => s.stream.bufferedBytes === 0, 'the reader to take what followed');
    assert.ok(frames > burst.length, 'the reader received what followed the commit');
    await holds(s.server, 1);
    stuck.socket.resume();
    await stuck.closed;
    reader.socket.destroy();
  });
});
