import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UsageError } from '../../host/cli/command.js';
import { pulseFlags } from '../../host/cli/pulse-flags.js';
import type { PulseOptions, PulseService } from '../../host/pulse/pulse-service.js';
import { get, startHub, tempDir } from '../hub/helpers.js';

/**
 * The optional phrasing as `fazt hub --phrase-url … --phrase-model … --phrase-key-file …`
 * sets it up: a stand-in OpenAI-compatible server on loopback words each
 * beat; GET /v1/pulse shows its words beside the rule-based text; a refused
 * key is said without the key, in the answer and in the hub's log.
 */
const KEY = 'sk-test-5f1c9a0e7b2d4c3a';
const tmp = tempDir('fazt-phrase-');
let status = 200;
const seen: { auth: string | undefined; body: string }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ auth: req.headers.authorization, body });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      status === 200
        ? JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Both of your nodes are fine.' } }] })
        : '{"error":{"message":"bad key"}}',
    );
  });
});
let url = '';

before(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  writeFileSync(join(tmp.dir, 'key'), `${KEY}\n`, { mode: 0o600 });
});
after(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  tmp.cleanup();
});

/** Waits (bounded) until the latest beat has the model's answer or its error. */
async function phrased(p: PulseService): Promise<NonNullable<NonNullable<PulseService['latest']>['phrased']>> {
  for (let i = 0; i < 200 && !p.latest?.phrased; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(p.latest?.phrased, 'the model answered within 2 s');
  return p.latest.phrased;
}

describe('Pulse phrased by a model', () => {
  it('the flags are checked: a URL needs a model, a model needs a URL, the key only from a file', () => {
    assert.throws(
      () => pulseFlags({ 'phrase-url': url }, 'UTC', '15m'),
      (e: Error) => e instanceof UsageError && /--phrase-model/.test(e.message),
    );
    assert.throws(
      () => pulseFlags({ 'phrase-model': 'm' }, 'UTC', '15m'),
      (e: Error) => e instanceof UsageError && /need --phrase-url/.test(e.message),
    );
    assert.throws(() => pulseFlags({ 'phrase-url': 'ftp://x', 'phrase-model': 'm' }, 'UTC', '15m'), UsageError);
    assert.throws(() => pulseFlags({ 'pulse-every': '500ms' }, 'UTC', '15m'), /at least 1s/);
    assert.equal(pulseFlags({ 'pulse-every': '0s' }, 'UTC', '15m'), false);
    assert.equal((pulseFlags({}, 'UTC', '30s') as PulseOptions).everyMs, 30_000);
  });

  it('the words of the model stand beside the rule-based text; the key goes only in the header', async () => {
    const o = pulseFlags({ 'pulse-every': '0s', 'phrase-url': url, 'phrase-model': 'tiny', 'phrase-key-file': join(tmp.dir, 'key') }, 'UTC', '15m');
    assert.equal(o, false, '0s is no Pulse');
    const options = pulseFlags({ 'phrase-url': url, 'phrase-model': 'tiny', 'phrase-key-file': join(tmp.dir, 'key') }, 'UTC', '15m') as PulseOptions;
    const logs: string[] = [];
    const h = await startHub({ pulse: { ...options, everyMs: 0 }, log: (l) => logs.push(l) });
    try {
      const p = h.hub.pulse as PulseService;
      const beat = p.beat();
      const words = await phrased(p);
      assert.ok('text' in words, JSON.stringify(words));
      assert.deepEqual([words.text, words.model], ['Both of your nodes are fine.', 'tiny']);
      assert.equal(seen.at(-1)?.auth, `Bearer ${KEY}`);
      assert.ok(!(seen.at(-1)?.body ?? '').includes(KEY), 'the key is not in the body');
      assert.ok((seen.at(-1)?.body ?? '').includes(JSON.stringify(beat.text).slice(1, 40)), 'the rule-based paragraph is sent');
      const r = await get(`${h.url}/v1/pulse`);
      assert.equal((r.body.phrased as { text: string }).text, 'Both of your nodes are fine.');
      assert.equal(r.body.text, beat.text, 'the rule-based text is still the answer');

      status = 401;
      p.beat();
      const refused = await phrased(p);
      assert.ok('error' in refused && /refused the key \(HTTP 401\)/.test(refused.error), JSON.stringify(refused));
      assert.ok(!JSON.stringify(refused).includes(KEY));
      assert.ok(
        logs.some((l) => l.includes('pulse-phrasing')),
        logs.join('\n'),
      );
      assert.ok(!logs.join('\n').includes(KEY), 'the key is never logged');
    } finally {
      status = 200;
      await h.stop();
    }
  });
});
