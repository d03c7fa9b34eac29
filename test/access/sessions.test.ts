import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHub } from '../hub/helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;
let now = 1_767_225_600_000;

const signIn = (token: string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ token }),
    redirect: 'manual',
  });

/** The session cookie's name=value from a Set-Cookie header. */
function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  const m = /^(fazt_session=[a-z2-7]+);/.exec(set);
  assert.ok(m, `a session cookie: ${set}`);
  return m[1];
}

const whoami = (cookie: string) => fetch(`${h.url}/v1/session`, { headers: { cookie } });
const rulesPost = (cookie: string, headers: Record<string, string>) =>
  fetch(`${h.url}/v1/rules/enable`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: '{"id":"none"}' });

before(async () => {
  h = await startHub({ clock: () => now, rules: true, log: () => undefined });
});
after(() => h.stop());

describe('browser sessions', () => {
  it('POST /v1/session with a token → 204 and an HttpOnly, SameSite=Strict cookie of its scope; DELETE signs out', async () => {
    const res = await signIn(h.hub.ownerToken);
    assert.equal(res.status, 204);
    const set = res.headers.get('set-cookie') ?? '';
    assert.match(set, /^fazt_session=[a-z2-7]{52}; HttpOnly; SameSite=Strict; Path=\//);
    assert.doesNotMatch(set, /Secure/, 'plain HTTP: no Secure flag');
    const cookie = cookieOf(res);
    const me = await whoami(cookie);
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { scope: string }).scope, 'admin');
    assert.equal((await fetch(`${h.url}/v1/nodes`, { headers: { cookie } })).status, 200);
    const out = await fetch(`${h.url}/v1/session`, { method: 'DELETE', headers: { cookie } });
    assert.equal(out.status, 204);
    assert.equal((await whoami(cookie)).status, 401);
    assert.equal((await fetch(`${h.url}/v1/nodes`, { headers: { cookie } })).status, 401);
  });
  it("a session has its token's scope and ends when the token is revoked", async () => {
    const { token } = h.hub.cartridge.tokens.create({ name: 'tablet', scope: 'read', now });
    const cookie = cookieOf(await signIn(token));
    assert.equal(((await (await whoami(cookie)).json()) as { scope: string }).scope, 'read');
    const refused = await rulesPost(cookie, { origin: h.url });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'forbidden');
    h.hub.cartridge.tokens.revoke('tablet', now);
    assert.equal((await whoami(cookie)).status, 401);
  });
  it('a session ends after 30 days unused', async () => {
    const cookie = cookieOf(await signIn(h.hub.ownerToken));
    now += 29 * 86_400_000;
    assert.equal((await whoami(cookie)).status, 200, 'used within 30 days');
    now += 30 * 86_400_000;
    assert.equal((await whoami(cookie)).status, 401);
  });
  it('GET /v1/session without a cookie or with an unknown one → 401', async () => {
    assert.equal((await fetch(`${h.url}/v1/session`)).status, 401);
    assert.equal((await whoami('fazt_session=abc')).status, 401);
  });
});

describe('one-time sign-in link', () => {
  it('sets the cookie and answers 303 to /; a second use is refused', async () => {
    const link = h.hub.signinLink();
    assert.match(link, new RegExp(`^${h.url}/signin\\?code=[a-z2-7]+$`));
    const first = await fetch(link, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/');
    const cookie = cookieOf(first);
    assert.match(first.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict; Path=\//);
    assert.equal(((await (await whoami(cookie)).json()) as { scope: string }).scope, 'admin');
    const again = await fetch(link, { redirect: 'manual' });
    assert.equal(again.status, 401);
    assert.equal(again.headers.get('set-cookie'), null);
  });
  it('expires after 10 minutes', async () => {
    const link = h.hub.signinLink();
    now += 10 * 60_000;
    assert.equal((await fetch(link, { redirect: 'manual' })).status, 401);
  });
});

describe('cross-site requests', () => {
  it('a cookie-authenticated POST needs the hub origin or Sec-Fetch-Site: same-origin, else 403 cross-site; Bearer is not subject to it', async () => {
    const cookie = cookieOf(await signIn(h.hub.ownerToken));
    const tries: Record<string, string>[] = [{}, { origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of tries) {
      const r = await rulesPost(cookie, headers);
      assert.equal(r.status, 403, JSON.stringify(headers));
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'cross-site');
    }
    // From the hub's own pages: past the check (the rule does not exist: 404).
    assert.equal((await rulesPost(cookie, { origin: h.url })).status, 404);
    assert.equal((await rulesPost(cookie, { 'sec-fetch-site': 'same-origin' })).status, 404);
    const bearer = await fetch(`${h.url}/v1/rules/enable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.hub.ownerToken}`, 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{"id":"none"}',
    });
    assert.equal(bearer.status, 404);
    assert.equal((await fetch(`${h.url}/v1/nodes`, { headers: { cookie, origin: 'http://evil.example' } })).status, 200, 'GET is not state-changing');
  });
});

describe('rate limits', () => {
  it('ten failed sign-ins a minute from an address, then 429 rate-limited with Retry-After; successes are not counted', async () => {
    const fresh = await startHub({ log: () => undefined });
    const at = (token: string) =>
      fetch(`${fresh.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    try {
      for (let i = 0; i < 20; i++) assert.equal((await at(fresh.hub.ownerToken)).status, 204, 'successes never count');
      for (let i = 0; i < 9; i++) assert.equal((await at(`fzt_${'a'.repeat(52)}`)).status, 401, `failure ${i + 1}`);
      assert.equal((await fetch(`${fresh.url}/signin?code=x`, { redirect: 'manual' })).status, 401, 'a bad code is failure 10');
      const limited = await at(fresh.hub.ownerToken);
      assert.equal(limited.status, 429);
      assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'rate-limited');
      assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
      assert.equal((await fetch(`${fresh.url}/signin?code=x`, { redirect: 'manual' })).status, 429, 'the sign-in link shares the count');
      assert.equal((await fetch(`${fresh.url}/v1/nodes`, { headers: { authorization: `Bearer ${fresh.hub.ownerToken}` } })).status, 200, 'Bearer calls go on');
    } finally {
      await fresh.stop();
    }
  });
  it('failed enrolments are limited too: ten refused invites, then 429', async () => {
    const other = await startHub({ log: () => undefined });
    try {
      const enroll = () =>
        fetch(`${other.url}/v1/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: `fzi${'b'.repeat(32)}`, publicKey: '00'.repeat(32), proof: '00'.repeat(64) }),
        });
      for (let i = 0; i < 10; i++) assert.equal((await enroll()).status, 401, `refusal ${i + 1}`);
      const r = await enroll();
      assert.equal(r.status, 429);
      assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
    } finally {
      await other.stop();
    }
  });
});
