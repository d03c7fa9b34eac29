import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHub } from '../hub/helpers.js';
import { until } from '../helpers/wait.js';
import { getFrom, rawConnect, trickle } from './raw-client.js';

type Started = Awaited<ReturnType<typeof startHub>>;
const HEADERS_MS = 300;
const REQUEST_MS = 600;

/** Refusal lines logged for `error` from `from`. */
const refusals = (lines: string[], error: string, from: string) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.code === 'refused' && r.error === error && r.from === from);

describe('slowloris: header and whole-request timeouts', () => {
  let h: Started;
  const lines: string[] = [];
  before(async () => {
    h = await startHub({ log: (l) => lines.push(l), limits: { headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS } });
  });
  after(() => h.stop());

  it('a client sending its headers a byte at a time is answered 408 and cut after the header timeout, while another is served', async () => {
    const slow = await rawConnect(h.addr.port, '127.0.0.4');
    const started = performance.now();
    trickle(slow.socket, `GET /v1/health HTTP/1.1\r\nHost: hub\r\nX-Slow: ${'a'.repeat(10_000)}`, 20);
    // Meanwhile, others are served as usual.
    for (let i = 0; i < 3; i++) assert.equal((await getFrom(h.addr.port, '/v1/health', '127.0.0.5')).status, 200);
    const answer = await slow.closed;
    const took = performance.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.ok(took >= HEADERS_MS, `cut after ${took} ms, before the header timeout`);
    assert.equal(refusals(lines, 'request-timeout', '127.0.0.4').length, 1);
  });

  it('a connection that never sends a byte is cut too', async () => {
    const idle = await rawConnect(h.addr.port, '127.0.0.6');
    assert.match(await idle.closed, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('a body that trickles is cut with 408 after the request timeout; the same request sent at once is answered', async () => {
    const slow = await rawConnect(h.addr.port, '127.0.0.7');
    const started = performance.now();
    slow.socket.write('POST /v1/uplink HTTP/1.1\r\nHost: hub\r\nContent-Type: application/cbor\r\nContent-Length: 4000\r\n\r\n');
    trickle(slow.socket, 'a'.repeat(4000), 20);
    const answer = await slow.closed;
    const took = performance.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.ok(took >= REQUEST_MS, `cut after ${took} ms, before the request timeout`);
    assert.equal(refusals(lines, 'request-timeout', '127.0.0.7').length, 1);
    // Ten more such bodies from the same address add no line: the refusals of the period are counted, not logged each.
    const more = await Promise.all(Array.from({ length: 10 }, () => rawConnect(h.addr.port, '127.0.0.7')));
    for (const c of more) {
      c.socket.write('POST /v1/uplink HTTP/1.1\r\nHost: hub\r\nContent-Type: application/cbor\r\nContent-Length: 4000\r\n\r\n');
      trickle(c.socket, 'a'.repeat(4000), 20);
    }
    for (const c of more) assert.match(await c.closed, /^HTTP\/1\.1 408 /);
    // The handler notices its body cut short once the hub's side has closed: one line for the period, however many.
    await until(() => refusals(lines, 'aborted', '127.0.0.7').length > 0, 'the cut bodies to be noticed');
    assert.equal((await getFrom(h.addr.port, '/v1/health', '127.0.0.7')).status, 200);
    assert.equal(refusals(lines, 'request-timeout', '127.0.0.7').length, 1);
    assert.equal(refusals(lines, 'aborted', '127.0.0.7').length, 1);
    // The same body at once reaches the decoder (and is refused there, not cut).
    const fast = await rawConnect(h.addr.port, '127.0.0.7');
    fast.socket.end(
      `POST /v1/uplink HTTP/1.1\r\nHost: hub\r\nContent-Type: application/cbor\r\nContent-Length: 4000\r\nConnection: close\r\n\r\n${'a'.repeat(4000)}`,
    );
    assert.match(await fast.closed, /^HTTP\/1\.1 4(00|22) /);
  });

  it('the body size limit still holds: a declared length over it is 413 before a byte is read', async () => {
    const big = await rawConnect(h.addr.port, '127.0.0.8');
    big.socket.write(`POST /v1/uplink HTTP/1.1\r\nHost: hub\r\nContent-Type: application/cbor\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`);
    assert.match(await big.closed, /^HTTP\/1\.1 413 /);
  });
});

describe('connections per address', () => {
  let h: Started;
  const lines: string[] = [];
  before(async () => {
    h = await startHub({ log: (l) => lines.push(l), limits: { connectionsPerAddress: 3, headersTimeoutMs: 20_000 } });
  });
  after(() => h.stop());

  it('the connection over the cap from 127.0.0.2 is answered 503 unread and closed, while 127.0.0.3 is served; a slot freed is reused', async () => {
    const held = await Promise.all([1, 2, 3].map(() => rawConnect(h.addr.port, '127.0.0.2')));
    const over = await rawConnect(h.addr.port, '127.0.0.2');
    const answer = await over.closed;
    assert.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(answer, /"code":"too-many-connections"/);
    const other = await getFrom(h.addr.port, '/v1/health', '127.0.0.3');
    assert.deepStrictEqual([other.status, other.body.trim()], [200, '{"ok":true}']);
    // More refusals from the same address: still one log line for the period.
    for (let i = 0; i < 3; i++) assert.match(await (await rawConnect(h.addr.port, '127.0.0.2')).closed, /^HTTP\/1\.1 503 /);
    assert.equal(refusals(lines, 'too-many-connections', '127.0.0.2').length, 1);
    // The held connections are served (they were admitted), and closing one frees its slot.
    held[0].socket.end('GET /v1/health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n');
    assert.match(await held[0].closed, /^HTTP\/1\.1 200 OK\r\n/);
    // The hub forgets the connection when its side closes, which the client may see first: ask until it has.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await getFrom(h.addr.port, '/v1/health', '127.0.0.2').catch(() => ({ status: 0 }))).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(status, 200, 'a freed slot is reused');
    for (const c of held.slice(1)) c.socket.destroy();
  });
});
