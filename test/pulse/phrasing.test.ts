import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { PhrasingError } from '../../host/pulse/phrasing-error.js';
import { Phrasing } from '../../host/pulse/phrasing.js';
import type { Judgement, PulseMetrics } from '../../host/pulse/pulse-types.js';

/**
 * The phrasing client against a stand-in OpenAI-compatible server on
 * loopback that records what it received and answers as each test tells it.
 */
const KEY = 'sk-test-4f9a1c7e2b8d6053';
const HISTORY = 'raw-history-sentinel';
// Node ids (public keys in the hub): the model gets names.
const LIVING = 'a1b2c3d4e5f60718';
const HALLWAY = 'f0e1d2c3b4a59687';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let received: Received[] = [];
let answer: (res: ServerResponse, req: Received) => void;
let base: string;
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => void (body += d));
  req.on('end', () => {
    const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    received.push(r);
    answer(res, r);
  });
});

function json(res: ServerResponse, status: number, doc: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
}

const completion = (content: unknown) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'stand-in-3b',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
});

before(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});
beforeEach(() => {
  received = [];
  answer = (res) => json(res, 200, completion('All is well: three nodes report.'));
});

const AT = Date.UTC(2025, 5, 1, 14, 20);
const metrics: PulseMetrics = {
  at: AT,
  hub: { events: 1_234_567, storeBytes: 310_000_000, diskFreeRatio: 0.41 },
  hubFacts: { version: '0.1.0' },
  nodes: {
    [LIVING]: {
      name: 'living-room',
      figures: { silentRatio: 1, rssi: -61 },
      facts: { firmware: '0.1.0' },
      sensors: { bme280: { state: 'running', since: AT - 1, reason: HISTORY } },
    },
    [HALLWAY]: { name: 'hallway', figures: { silentRatio: 540, lastSeenMs: 1_080_000, expectedMs: 2000 }, facts: {}, sensors: {} },
  },
};
// A collector may carry more than the shapes say (history, samples): none of it goes out.
Object.assign(metrics, { history: [{ type: 'sensor.reading', data: HISTORY }] });
const judgement: Judgement = {
  at: AT,
  status: 'degraded',
  verdicts: [
    {
      check: 'node.silent',
      subject: HALLWAY,
      name: 'hallway',
      status: 'degraded',
      value: 540,
      since: AT,
      title: 'Node silent',
      text: 'The hallway node has been silent for 18 minutes.',
    },
    { check: 'node.silent', subject: LIVING, name: 'living-room', status: 'healthy', value: 1, since: AT, title: 'Node silent' },
    { check: 'hub.time-confidence', subject: 'hub', name: 'the hub', status: 'unknown', since: AT, title: 'Time confidence' },
  ],
  transitions: [{ check: 'node.silent', subject: HALLWAY, name: 'hallway', from: 'healthy', to: 'degraded', at: AT, title: 'Node silent', text: HISTORY }],
};
const beat = { metrics, judgement, text: 'Two of three nodes are reporting. The hallway node has been silent for 18 minutes.' };

async function refusal(p: Phrasing): Promise<PhrasingError> {
  const e = await p.phrase(beat).then(
    () => assert.fail('phrase should have failed'),
    (e: unknown) => e,
  );
  assert.ok(e instanceof PhrasingError, String(e));
  for (const shown of [e.message, String(e), e.stack ?? '', inspect(e)]) assert.ok(!shown.includes(KEY), `the key leaked: ${shown}`);
  return e;
}

describe('Phrasing', () => {
  it('posts the structured beat as JSON with the bearer key in the header only, and returns the answer', async () => {
    const p = new Phrasing({ url: base, model: 'qwen2.5-3b-instruct', apiKey: KEY });
    assert.deepEqual(await p.phrase(beat), { text: 'All is well: three nodes report.', model: 'stand-in-3b' });
    assert.equal(received.length, 1);
    const [r] = received;
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/v1/chat/completions');
    assert.equal(r.headers.authorization, `Bearer ${KEY}`);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    const sent = JSON.parse(r.body);
    assert.deepEqual(Object.keys(sent).sort(), ['messages', 'model', 'temperature']);
    assert.equal(sent.model, 'qwen2.5-3b-instruct');
    assert.equal(sent.temperature, 0.2);
    assert.deepEqual(
      sent.messages.map((x: { role: string }) => x.role),
      ['system', 'user'],
    );
    const user = JSON.parse(sent.messages[1].content);
    assert.equal(user.status, 'degraded');
    assert.equal(user.paragraph, beat.text);
    assert.deepEqual(
      user.issues.map((v: { check: string; name: string; status: string }) => `${v.check} ${v.name} ${v.status}`),
      ['node.silent hallway degraded', 'hub.time-confidence the hub unknown'],
      'only the verdicts that are not healthy',
    );
    assert.deepEqual(user.nodes, [
      { name: 'living-room', figures: { silentRatio: 1, rssi: -61 } },
      { name: 'hallway', figures: { silentRatio: 540, lastSeenMs: 1_080_000, expectedMs: 2000 } },
    ]);
    assert.deepEqual(user.hub, metrics.hub);
    assert.ok(!r.body.includes(HISTORY), 'no raw history, transitions or sensor reasons in the body');
    assert.ok(!r.body.includes(LIVING) && !r.body.includes(HALLWAY), 'nodes by name, not by id');
    const rawHeaders = JSON.stringify(Object.entries(r.headers).filter(([k]) => k !== 'authorization'));
    assert.ok(!r.body.includes(KEY) && !rawHeaders.includes(KEY), 'the key is in the authorization header only');
  });

  it('sends no authorization header without a key, and falls back to its own model name', async () => {
    answer = (res) => json(res, 200, { choices: [{ message: { content: '  Fine.\n' } }] });
    assert.deepEqual(await new Phrasing({ url: `${base}/`, model: 'local' }).phrase(beat), { text: 'Fine.', model: 'local' });
    assert.equal(received[0].url, '/v1/chat/completions');
    assert.equal(received[0].headers.authorization, undefined);
  });

  it('says the endpoint refused the key on 401, never showing it', async () => {
    answer = (res, r) => json(res, 401, { error: { message: `Incorrect API key provided: ${r.headers.authorization}` } });
    const e = await refusal(new Phrasing({ url: base, model: 'm', apiKey: KEY }));
    assert.equal(e.code, 'refused');
    assert.equal(e.message, 'the model endpoint refused the key (HTTP 401)');
    const none = await refusal(new Phrasing({ url: base, model: 'm' }));
    assert.equal(none.message, 'the model endpoint wants a key (HTTP 401); none is configured');
  });

  it("names the status and the endpoint's reason on a 500, with an echoed key blanked", async () => {
    answer = (res, r) => json(res, 500, { error: { message: `model 'm' is loading (request had ${r.headers.authorization})` } });
    const e = await refusal(new Phrasing({ url: base, model: 'm', apiKey: KEY }));
    assert.equal(e.code, 'http');
    assert.equal(e.message, "the model endpoint answered HTTP 500: model 'm' is loading (request had Bearer [key])");
  });

  it('gives up after timeoutMs when the endpoint hangs', async () => {
    answer = () => undefined; // never answers
    const e = await refusal(new Phrasing({ url: base, model: 'm', apiKey: KEY, timeoutMs: 150 }));
    assert.equal(e.code, 'timeout');
    assert.equal(e.message, 'the model endpoint did not answer within 150 ms');
  });

  it('refuses an answer that is not JSON, has no choices, or is too long', async () => {
    const p = new Phrasing({ url: base, model: 'm', apiKey: KEY });
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"choices": [ ${KEY}`);
    const notJson = await refusal(p);
    assert.equal(notJson.code, 'not-json');
    assert.match(notJson.message, /^the model endpoint's answer is not JSON/);
    for (const doc of [{ id: 'x', object: 'chat.completion' }, { choices: [] }, completion(''), completion(['parts'])]) {
      answer = (res) => json(res, 200, doc);
      const e = await refusal(p);
      assert.equal(e.code, 'no-content', JSON.stringify(doc));
      assert.equal(e.message, "the model endpoint's answer has no text in choices[0].message.content");
    }
    answer = (res) => json(res, 200, completion('x'.repeat(9000)));
    const long = await refusal(p);
    assert.equal(long.code, 'too-large');
    assert.equal(long.message, "the model's answer is over 8 KB (9000 bytes)");
    answer = (res) => json(res, 200, { ...completion('ok'), padding: 'y'.repeat(100_000) });
    const huge = await refusal(p);
    assert.equal(huge.code, 'too-large');
    assert.equal(huge.message, "the model endpoint's reply is over 64 KB");
  });

  it('names a broken connection by its origin only', async () => {
    answer = (res) => res.socket?.destroy();
    const e = await refusal(new Phrasing({ url: `${base}?token=${KEY}`, model: 'm', apiKey: KEY }));
    assert.equal(e.code, 'unreachable');
    assert.match(e.message, /^could not reach the model endpoint at http:\/\/127\.0\.0\.1:\d+ \(\w+\)$/);
  });

  it('refuses bad options naming them, without echoing the key', () => {
    assert.throws(() => new Phrasing({ url: 'not a url', model: 'm' }), { name: 'TypeError', message: /^url must be an absolute/ });
    assert.throws(() => new Phrasing({ url: 'ftp://127.0.0.1/v1', model: 'm' }), { name: 'TypeError', message: /^url must be http or https/ });
    assert.throws(() => new Phrasing({ url: 'http://u:p@127.0.0.1/v1', model: 'm' }), { name: 'TypeError', message: /^url must not hold credentials/ });
    assert.throws(() => new Phrasing({ url: base, model: ' ' }), { name: 'TypeError', message: /^model must/ });
    assert.throws(() => new Phrasing({ url: base, model: 'm', timeoutMs: 0 }), { name: 'RangeError', message: /^timeoutMs must be/ });
    assert.throws(
      () => new Phrasing({ url: base, model: 'm', apiKey: `${KEY}\n` }),
      (e: Error) => e instanceof TypeError && e.message.startsWith('apiKey must') && !e.message.includes(KEY),
    );
  });
});
