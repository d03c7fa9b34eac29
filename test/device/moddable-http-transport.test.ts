import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChunkResult, UplinkResult } from '../../firmware/uplink/transport.js';
import { hubAddress, ModdableHttpTransport, type HttpClient, type HttpClientOptions } from '../../firmware/device/moddable-http-transport.js';
import { moddableTime } from '../../hal/moddable/moddable-time.js';
import { FakeTimer, fakeClient, type Exchange, type Seen } from '../hal/fake-ecma419-http.js';

/**
 * The device transport against a fake of the ECMA-419 HTTP client shape, on
 * a fake of Moddable's `timer` module (through moddableTime, as on a device):
 * see fake-ecma419-http.ts.
 */
function rig(exchange: Exchange, hubUrl = 'http://192.168.1.10:8080', extra: { timeoutMs?: number; maxReplyBytes?: number } = {}) {
  const timer = new FakeTimer();
  const seen: Seen[] = [];
  const transport = new ModdableHttpTransport({
    hubUrl,
    timers: moddableTime(timer, () => timer.now),
    http: { io: fakeClient(timer, exchange, seen), socket: { io: 'TCP' }, dns: { io: 'Resolver', servers: ['192.168.1.1'], socket: { io: 'UDP' } } },
    ...extra,
  });
  const results: UplinkResult[] = [];
  const send = (batch: Uint8Array) => {
    transport.send(batch, (r) => results.push(r));
    timer.run();
    return results;
  };
  return { timer, seen, transport, send, results };
}

const batch = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

describe('ModdableHttpTransport: request', () => {
  it('POSTs the CBOR batch to <hub>/v1/uplink with content-type and content-length, in pieces no larger than offered', () => {
    const { seen, send } = rig({ reply: { status: 200, body: '{"ack":42,"stored":3}' }, writable: 1000 });
    const body = batch(3500);
    assert.deepStrictEqual(send(body), [{ ok: true, ack: { ack: 42, stored: 3 } }]);
    const s = seen[0];
    assert.equal(s.options.host, '192.168.1.10');
    assert.equal(s.options.port, 8080);
    assert.deepStrictEqual(s.options.socket, { io: 'TCP' });
    assert.deepStrictEqual(s.options.dns, { io: 'Resolver', servers: ['192.168.1.1'], socket: { io: 'UDP' } });
    assert.equal(s.request?.method, 'POST');
    assert.equal(s.request?.path, '/v1/uplink');
    assert.equal(s.request?.headers.get('content-type'), 'application/cbor');
    assert.equal(s.request?.headers.get('content-length'), '3500');
    assert.deepStrictEqual(Uint8Array.from(s.body), body);
    assert.deepStrictEqual(s.calls, ['onWritable', 'onWritable', 'onWritable', 'onWritable', 'onHeaders', 'onReadable', 'onDone']);
  });

  it("keeps the hub URL's own path and defaults to port 80", () => {
    assert.deepStrictEqual(hubAddress('http://hub.lan/fazt/'), { host: 'hub.lan', port: 80, path: '/fazt/v1/uplink' });
    assert.deepStrictEqual(hubAddress('http://10.0.0.2:9000'), { host: '10.0.0.2', port: 9000, path: '/v1/uplink' });
  });

  it('refuses https (no TLS socket wired) and malformed URLs when constructed', () => {
    assert.throws(() => rig({ reply: 'hang' }, 'https://hub.lan'), /https is not supported/);
    assert.throws(() => rig({ reply: 'hang' }, 'hub.lan:8080'), RangeError);
    assert.throws(() => rig({ reply: 'hang' }, 'http://hub.lan:70000'), /out of range/);
  });

  it('uses a client per send and closes it when the exchange ends', () => {
    const { seen, send } = rig({ reply: { status: 200, body: '{"ack":1,"stored":1}' } });
    send(batch(10));
    send(batch(10));
    assert.equal(seen.length, 2);
    assert.ok(seen.every((s) => s.closed));
  });
});

describe('ModdableHttpTransport: replies', () => {
  it('reassembles a reply delivered over several onReadable calls', () => {
    const { send, seen } = rig({ reply: { status: 200, body: '{"ack":7,"stored":0}' }, readable: 3 });
    assert.deepStrictEqual(send(batch(20)), [{ ok: true, ack: { ack: 7, stored: 0 } }]);
    assert.equal(seen[0].calls.filter((c) => c === 'onReadable').length, 7);
  });

  it("a 4xx with the hub's error body is a refusal carrying its code", () => {
    const { send } = rig({ reply: { status: 409, body: '{"error":{"code":"chain-broken","message":"prev does not match"}}' } });
    assert.deepStrictEqual(send(batch(20)), [{ ok: false, refused: true, status: 409, code: 'chain-broken', message: 'prev does not match' }]);
  });

  it('a 5xx, or a reply that is not UTF-8, is retryable and judged by status', () => {
    assert.deepStrictEqual(rig({ reply: { status: 503, body: '<html>busy</html>' } }).send(batch(5)), [
      { ok: false, refused: false, message: 'hub answered HTTP 503' },
    ]);
    const bad = rig({ reply: { status: 400, body: Uint8Array.of(0xff, 0xfe) } }).send(batch(5));
    assert.deepStrictEqual(bad, [{ ok: false, refused: true, status: 400, code: 'http-400', message: 'HTTP 400' }]);
  });

  it('a reply larger than maxReplyBytes is retryable and the client is closed', () => {
    const { send, seen } = rig({ reply: { status: 200, body: `{"ack":1,"pad":"${'x'.repeat(100)}"}` }, readable: 16 }, 'http://10.0.0.2', {
      maxReplyBytes: 64,
    });
    const r = send(batch(5));
    assert.equal(r.length, 1);
    assert.deepStrictEqual(r[0], { ok: false, refused: false, message: 'reply from 10.0.0.2:80 is larger than 64 bytes' });
    assert.ok(seen[0].closed);
  });
});

describe('ModdableHttpTransport: firmware chunks', () => {
  const chunk = (exchange: Exchange, hubUrl = 'http://10.0.0.2:7070/fazt') => {
    const r = rig(exchange, hubUrl);
    const got: ChunkResult[] = [];
    r.transport.chunk(batch(90), (c) => got.push(c));
    r.timer.run();
    return { got, seen: r.seen };
  };

  it("POSTs the signed request to <hub>/v1/firmware/chunk and hands back the bytes of a 16 KiB chunk (beyond the uplink's reply limit)", () => {
    const bytes = batch(16_384);
    const { got, seen } = chunk({ reply: { status: 200, body: bytes }, readable: 4096 });
    assert.equal(seen[0].request?.path, '/fazt/v1/firmware/chunk');
    assert.equal(seen[0].request?.headers.get('content-type'), 'application/cbor');
    assert.deepStrictEqual(Uint8Array.from(seen[0].body), batch(90));
    assert.equal(got.length, 1);
    assert.ok(got[0].ok);
    assert.deepStrictEqual(Uint8Array.from(got[0].bytes), bytes);
  });

  it("a 4xx is a refusal naming the hub's code; a reply beyond the largest chunk is retryable", () => {
    assert.deepStrictEqual(chunk({ reply: { status: 403, body: '{"error":{"code":"no-offer","message":"nothing offered"}}' } }).got, [
      { ok: false, refused: true, message: 'hub answered 403 (no-offer: nothing offered)' },
    ]);
    assert.deepStrictEqual(chunk({ reply: { status: 200, body: batch(16_385) }, readable: 4096 }, 'http://10.0.0.2').got, [
      { ok: false, refused: false, message: 'reply from 10.0.0.2:80 is larger than 16384 bytes' },
    ]);
  });
});

describe('ModdableHttpTransport: failures are retryable results', () => {
  it('a refused connection (onDone(error), then onError) reports once, naming the hub', () => {
    const { send, seen } = rig({ reply: 'refuse' });
    assert.deepStrictEqual(send(batch(5)), [{ ok: false, refused: false, message: 'cannot reach 192.168.1.10:8080' }]);
    assert.ok(seen[0].closed);
  });

  it('a connection reset after the headers is retryable', () => {
    const r = rig({ reply: 'reset' }).send(batch(5));
    assert.equal(r.length, 1);
    assert.equal(r[0].ok, false);
    assert.equal((r[0] as { refused: boolean }).refused, false);
  });

  it('no answer within the timeout: retryable, the client closed, nothing reported twice', () => {
    const { timer, transport, seen, results } = rig({ reply: 'hang' }, 'http://10.0.0.2', { timeoutMs: 2500 });
    transport.send(batch(5), (r) => results.push(r));
    timer.run(2499);
    assert.equal(results.length, 0);
    timer.run(2500);
    assert.deepStrictEqual(results, [{ ok: false, refused: false, message: 'no answer from 10.0.0.2:80 within 2500 ms' }]);
    assert.ok(seen[0].closed);
    assert.equal(timer.pending, 0);
  });

  it('a client constructor that throws is a retryable result, not an exception', () => {
    const timer = new FakeTimer();
    const t = new ModdableHttpTransport({
      hubUrl: 'http://10.0.0.2',
      timers: moddableTime(timer, () => timer.now),
      http: {
        io: class {
          constructor() {
            throw new Error('socket: no memory');
          }
        } as unknown as new (
          o: HttpClientOptions,
        ) => HttpClient,
        socket: { io: null },
        dns: { io: null },
      },
    });
    const results: UplinkResult[] = [];
    t.send(batch(5), (r) => results.push(r));
    assert.deepStrictEqual(results, [{ ok: false, refused: false, message: 'cannot reach 10.0.0.2:80: socket: no memory' }]);
    assert.equal(timer.pending, 0, 'the timeout was cleared');
  });

  it('bad options throw TypeError/RangeError naming the option', () => {
    const timers = moddableTime(new FakeTimer());
    assert.throws(
      () => new ModdableHttpTransport({ hubUrl: 'http://h', timers, http: { io: undefined as never, socket: { io: 0 }, dns: { io: 0 } } }),
      /http\.io/,
    );
    assert.throws(
      () => new ModdableHttpTransport({ hubUrl: 'http://h', timers, http: { io: class {} as never, socket: { io: 0 }, dns: { io: 0 } }, timeoutMs: 0 }),
      /timeoutMs/,
    );
  });
});

describe('moddableTime over the timer module', () => {
  it('issues numeric ids, fires once, and clearTimeout cancels (unknown ids are ignored)', () => {
    const timer = new FakeTimer();
    const time = moddableTime(timer, () => timer.now);
    const fired: string[] = [];
    const a = time.setTimeout(() => fired.push('a'), 10);
    const b = time.setTimeout(() => fired.push('b'), 5);
    assert.equal(typeof a, 'number');
    assert.notEqual(a, b);
    time.clearTimeout(a);
    time.clearTimeout(a);
    time.clearTimeout(999);
    timer.run();
    assert.deepStrictEqual(fired, ['b']);
    time.clearTimeout(b);
  });

  it('rounds fractional milliseconds up: a delay is never cut short', () => {
    const timer = new FakeTimer();
    const time = moddableTime(timer, () => timer.now);
    time.delay(8.3);
    time.delay(0);
    time.delay(-1);
    assert.deepStrictEqual(timer.delays, [9]);
    const start = timer.now;
    let at = -1;
    time.setTimeout(() => (at = timer.now), 0.2);
    timer.run();
    assert.equal(at - start, 1);
  });

  it('now() reads the clock it was given; bad arguments throw TypeError', () => {
    const time = moddableTime(new FakeTimer(), () => 1_700_000_000_123.5);
    assert.equal(time.now(), 1_700_000_000_123.5);
    assert.throws(() => time.delay(Number.NaN), TypeError);
    assert.throws(() => time.setTimeout(undefined as unknown as () => void, 1), TypeError);
  });
});
