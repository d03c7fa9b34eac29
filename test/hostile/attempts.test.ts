import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHub } from '../hub/helpers.js';
import { getFrom } from './raw-client.js';

type Started = Awaited<ReturnType<typeof startHub>>;
const WINDOW_MS = 60_000;
const LIMIT = 3;
const BAD = `fzt_${'b'.repeat(52)}`;

describe('failed attempts per address: 429, then recovery after the window (clock injected)', () => {
  let h: Started;
  let mono = 1_000;
  const lines: string[] = [];
  before(async () => {
    h = await startHub({ log: (l) => lines.push(l), limits: { failures: LIMIT, failureWindowMs: WINDOW_MS, refusalLogMs: WINDOW_MS, now: () => mono } });
  });
  after(() => h.stop());
  const limitedLines = () =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.code === 'refused' && r.error === 'rate-limited' && r.status === 429);
  const bearer = (token: string, from = '127.0.0.9') => getFrom(h.addr.port, '/v1/nodes', from, { authorization: `Bearer ${token}` });
  const signIn = (token: string) =>
    fetch(`${h.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  const enroll = () =>
    fetch(`${h.url}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: `fzi${'b'.repeat(32)}`, publicKey: '00'.repeat(32), proof: '00'.repeat(64) }),
    });

  it('bad Bearer tokens: 401 up to the limit, then 429 with Retry-After; a good token still passes; another address is untouched', async () => {
    for (let i = 0; i < LIMIT; i++) assert.equal((await bearer(BAD)).status, 401, `failure ${i + 1}`);
    for (let i = 0; i < 5; i++) {
      const r = await bearer(BAD);
      assert.equal(r.status, 429);
      assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'rate-limited');
      assert.equal(r.headers['retry-after'], String(WINDOW_MS / 1000));
      assert.ok(!r.body.includes(BAD), 'the token is never repeated');
    }
    assert.equal((await bearer(h.hub.ownerToken)).status, 200, 'the owner is never locked out by a guesser');
    assert.equal((await bearer(BAD, '127.0.0.10')).status, 401, 'another address counts on its own');
    // Eight 429s, one log line, and no token in it.
    assert.equal(limitedLines().filter((r) => r.from === '127.0.0.9').length, 1);
    assert.ok(lines.every((l) => !l.includes(BAD.slice(4)) && !l.includes(h.hub.ownerToken)));
  });

  it('the window passes on the injected clock: the address is heard again, and the next 429 line says how many the last period held back', async () => {
    mono += WINDOW_MS / 2;
    const r = await bearer(BAD);
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], String(WINDOW_MS / 2000), 'Retry-After counts down with the window');
    mono += WINDOW_MS / 2 + 1;
    assert.equal((await bearer(BAD)).status, 401, 'recovered: a bad token is a plain 401 again');
    for (let i = 0; i < LIMIT; i++) await bearer(BAD);
    assert.equal((await bearer(BAD)).status, 429);
    const mine = limitedLines().filter((r) => r.from === '127.0.0.9');
    assert.equal(mine.length, 2);
    assert.equal(mine[1].alsoRefused, 5, 'the 429s the first period did not log');
  });

  it('sign-ins share the count with Bearer guesses (both guess at a token), and recover the same way', async () => {
    mono += WINDOW_MS + 1;
    for (let i = 0; i < LIMIT; i++) assert.equal((await signIn(BAD)).status, 401);
    const r = await signIn(h.hub.ownerToken);
    assert.equal(r.status, 429, 'a locked-out address cannot sign in, even with a good token');
    assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
    mono += WINDOW_MS + 1;
    assert.equal((await signIn(h.hub.ownerToken)).status, 204);
  });

  it('refused enrolments: 401 up to the limit, then 429, then heard again after the window', async () => {
    mono += WINDOW_MS + 1;
    for (let i = 0; i < LIMIT; i++) assert.equal((await enroll()).status, 401, `refusal ${i + 1}`);
    assert.equal((await enroll()).status, 429);
    mono += WINDOW_MS + 1;
    assert.equal((await enroll()).status, 401);
  });
});

describe('limits are checked when the hub is made', () => {
  it('a figure that is not a positive whole number, or a header timeout past the request timeout, is a RangeError naming it', async () => {
    const { Hub } = await import('../../host/hub/hub.js');
    assert.throws(() => new Hub({ limits: { connectionsPerAddress: 0 } }), /limits\.connectionsPerAddress must be a whole number of at least 1, got 0/);
    assert.throws(() => new Hub({ limits: { streamStallMs: 1.5 } }), /limits\.streamStallMs/);
    assert.throws(
      () => new Hub({ limits: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } }),
      /headersTimeoutMs \(5000\) must not exceed limits\.requestTimeoutMs \(1000\)/,
    );
  });
});
