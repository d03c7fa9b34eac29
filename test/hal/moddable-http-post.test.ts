import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpReply } from '../../hal/contracts/http.js';
import { moddableHttpPost, parseHttpUrl, type ModdableHttpPostOptions } from '../../hal/moddable/moddable-http-post.js';
import { moddableTime } from '../../hal/moddable/moddable-time.js';
import { FakeTimer, fakeClient, type Exchange, type Seen } from './fake-ecma419-http.js';

/**
 * The device's generic POST (HubLink's HttpPost on a Moddable device)
 * against the fake ECMA-419 HTTP client and timer module of
 * fake-ecma419-http.ts, the same fake the uplink transport is tested on.
 */
function rig(exchange: Exchange, options: ModdableHttpPostOptions = {}) {
  const timer = new FakeTimer();
  const seen: Seen[] = [];
  const post = moddableHttpPost(
    { io: fakeClient(timer, exchange, seen), socket: { io: 'TCP' }, dns: { io: 'Resolver', servers: ['192.168.1.1'], socket: { io: 'UDP' } } },
    moddableTime(timer, () => timer.now),
    options,
  );
  const replies: HttpReply[] = [];
  const send = (url: string, body: Uint8Array, type = 'application/json') => {
    post(url, type, body, (r) => replies.push(r));
    timer.run();
    return replies;
  };
  return { timer, seen, post, send, replies };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('moddableHttpPost: the exchange', () => {
  it("POSTs the body with its content type to the URL's host, port and path; the reply is {status, body}", () => {
    const { seen, send } = rig({ reply: { status: 201, body: '{"node":"n1"}' }, writable: 7 });
    const body = text('{"token":"fzi","publicKey":"ab"}');
    assert.deepStrictEqual(send('http://192.168.1.10:7070/v1/enroll', body), [{ status: 201, body: text('{"node":"n1"}') }]);
    const s = seen[0];
    assert.deepStrictEqual([s.options.host, s.options.port], ['192.168.1.10', 7070]);
    assert.deepStrictEqual(s.options.dns, { io: 'Resolver', servers: ['192.168.1.1'], socket: { io: 'UDP' } });
    assert.equal(s.request?.method, 'POST');
    assert.equal(s.request?.path, '/v1/enroll');
    assert.equal(s.request?.headers.get('content-type'), 'application/json');
    assert.equal(s.request?.headers.get('content-length'), String(body.length));
    assert.deepStrictEqual(Uint8Array.from(s.body), body);
    assert.equal(s.calls.filter((c) => c === 'onWritable').length, Math.ceil(body.length / 7));
    assert.ok(s.closed, 'one client per POST, closed when it ends');
  });

  it('any status is a reply, not an error; a URL without a path posts to / on port 80', () => {
    const { seen, send } = rig({ reply: { status: 403, body: '{"error":{"code":"invite-used"}}' }, readable: 5 });
    assert.deepStrictEqual(send('http://hub.lan', text('x'), 'application/cbor'), [{ status: 403, body: text('{"error":{"code":"invite-used"}}') }]);
    assert.deepStrictEqual([seen[0].options.host, seen[0].options.port, seen[0].request?.path], ['hub.lan', 80, '/']);
  });

  it('the reply body is the bytes received, UTF-8 or not (the firmware decodes what it expects)', () => {
    assert.deepStrictEqual(rig({ reply: { status: 502, body: Uint8Array.of(0xff, 0xfe) } }).send('http://10.0.0.2', text('x')), [
      { status: 502, body: Uint8Array.of(0xff, 0xfe) },
    ]);
  });
});

describe('moddableHttpPost: failures are {error}, reported once', () => {
  it('a refused connection (onDone(error), then onError) names the host and port', () => {
    const { send, seen } = rig({ reply: 'refuse' });
    assert.deepStrictEqual(send('http://10.0.0.2:7070/v1/uplink', text('x')), [{ error: 'cannot reach 10.0.0.2:7070' }]);
    assert.ok(seen[0].closed);
  });

  it('a connection reset after the headers is an error, not a short reply', () => {
    const r = rig({ reply: 'reset' }).send('http://10.0.0.2/v1/uplink', text('x'));
    assert.equal(r.length, 1);
    assert.ok('error' in r[0]);
  });

  it('no answer within timeoutMs: {error}, the client closed, no timer left', () => {
    const { timer, post, seen, replies } = rig({ reply: 'hang' }, { timeoutMs: 1500 });
    post('http://10.0.0.2:7070/v1/enroll', 'application/json', text('{}'), (r) => replies.push(r));
    timer.run(1499);
    assert.deepStrictEqual(replies, []);
    timer.run(1500);
    assert.deepStrictEqual(replies, [{ error: 'no answer from 10.0.0.2:7070 within 1500 ms' }]);
    assert.ok(seen[0].closed);
    assert.equal(timer.pending, 0);
  });

  it('a reply larger than maxReplyBytes is an error and the client is closed', () => {
    const { send, seen } = rig({ reply: { status: 200, body: 'y'.repeat(100) }, readable: 16 }, { maxReplyBytes: 32 });
    assert.deepStrictEqual(send('http://10.0.0.2', text('x')), [{ error: 'reply from 10.0.0.2:80 is larger than 32 bytes' }]);
    assert.ok(seen[0].closed);
  });

  it('a URL this client cannot reach (https, not a URL, a port out of range) is an {error} at once: it came from the network', () => {
    const { post, seen, timer } = rig({ reply: 'hang' });
    const got: HttpReply[] = [];
    for (const url of ['https://10.0.0.2:7070/v1/enroll', 'ftp://10.0.0.2/x', '10.0.0.2:7070', 'http://[fe80::1]:7070/v1/uplink', 'http://10.0.0.2:70000'])
      post(url, 'application/json', text('{}'), (r) => got.push(r));
    assert.equal(got.length, 5, 'answered synchronously');
    assert.ok(got.every((r) => 'error' in r));
    assert.match((got[0] as { error: string }).error, /https is not supported/);
    assert.match((got[4] as { error: string }).error, /out of range/);
    assert.equal(seen.length, 0, 'no client was made');
    assert.equal(timer.pending, 0);
  });

  it('mistakes in the program throw: bad options, a body that is not bytes, no content type', () => {
    const timers = moddableTime(new FakeTimer());
    const http = { io: class {} as never, socket: { io: 0 }, dns: { io: 0 } };
    assert.throws(() => moddableHttpPost({ ...http, io: undefined as never }, timers), /http\.io/);
    assert.throws(
      () => moddableHttpPost(http, timers, { timeoutMs: 0 }),
      (e) => e instanceof RangeError && /timeoutMs/.test(e.message),
    );
    assert.throws(
      () => moddableHttpPost(http, timers, { maxReplyBytes: 1.5 }),
      (e) => e instanceof RangeError && /maxReplyBytes/.test(e.message),
    );
    const post = moddableHttpPost(http, timers);
    assert.throws(() => post('http://h', 'application/json', '{}' as never, () => undefined), TypeError);
    assert.throws(() => post('http://h', '', new Uint8Array(1), () => undefined), /contentType/);
  });
});

describe('parseHttpUrl', () => {
  it('splits host, port and path; rejects userinfo, queries and https with RangeError naming the parameter', () => {
    assert.deepStrictEqual(parseHttpUrl('http://192.168.1.10:7070/v1/uplink'), { host: '192.168.1.10', port: 7070, path: '/v1/uplink' });
    assert.deepStrictEqual(parseHttpUrl('http://hub.lan'), { host: 'hub.lan', port: 80, path: '/' });
    assert.throws(() => parseHttpUrl('http://user@hub.lan/'), RangeError);
    assert.throws(() => parseHttpUrl('http://hub.lan/x?y=1', 'hubUrl'), /^RangeError: hubUrl must look like/);
    assert.throws(() => parseHttpUrl('https://hub.lan'), /https is not supported/);
    assert.throws(() => parseHttpUrl(7 as never), TypeError);
  });
});
