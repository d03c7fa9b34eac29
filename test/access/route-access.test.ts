import assert from 'node:assert/strict';
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../../host/hub/hub.js';
import type { Access } from '../../host/hub/route.js';
import { startHub, tempDir } from '../hub/helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;
let now = 1_767_225_600_000;
const lines: string[] = [];

/** The routes anyone may call, exactly (README "Access: owner only"); a new one must be added here on purpose. */
const OPEN = ['POST /v1/uplink', 'POST /v1/enroll', 'GET /v1/time', 'GET /v1/beacon', 'GET /v1/health', 'POST /v1/downlink', 'POST /v1/firmware/chunk'];
/** Pairing: the hub's key, and the exchange the invite itself authenticates (host/hub/mesh-pair-api.ts). */
OPEN.push('GET /v1/mesh/pair/key', 'POST /v1/mesh/pair');
/** Routes that check the credential they are given themselves. */
const SIGN_IN = ['POST /v1/session', 'GET /v1/session', 'DELETE /v1/session', 'GET /signin'];

/** Every route of the hub's table with who may call it. */
function table(): { key: string; path: string; method: string; access: Access }[] {
  return Object.entries(h.hub.routes).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, r]) => ({ key: `${method} ${path}`, path, method, access: r.access })),
  );
}

async function call(
  path: string,
  method: string,
  token?: string,
): Promise<{ status: number; body: { error?: { code: string; message: string } }; auth: string | null }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const send = method !== 'GET' && method !== 'HEAD';
  if (send) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.url}${path}`, { method, headers, body: send ? '{}' : undefined, signal: AbortSignal.timeout(10_000) });
  // An event stream stays open: its headers are the answer.
  const text = res.headers.get('content-type')?.startsWith('text/event-stream') ? (await res.body?.cancel(), '') : await res.text();
  return {
    status: res.status,
    body: (text.startsWith('{') ? JSON.parse(text) : {}) as { error?: { code: string; message: string } },
    auth: res.headers.get('www-authenticate'),
  };
}

const token = (name: string, scope: 'read' | 'admin' | 'metrics', expiresAt?: number) => h.hub.cartridge.tokens.create({ name, scope, expiresAt, now }).token;

before(async () => {
  h = await startHub({ clock: () => now, rules: true, pulse: { everyMs: 0 }, log: (l) => void lines.push(l) });
});
after(() => h.stop());

describe('every route declares who may call it', () => {
  it('the open and sign-in routes are exactly the listed ones; every other route is read, admin or metrics', () => {
    const t = table();
    assert.deepStrictEqual(
      t
        .filter((r) => r.access === 'open')
        .map((r) => r.key)
        .sort(),
      [...OPEN].sort(),
    );
    assert.deepStrictEqual(
      t
        .filter((r) => r.access === 'sign-in')
        .map((r) => r.key)
        .sort(),
      [...SIGN_IN].sort(),
    );
    assert.deepStrictEqual(
      t.filter((r) => r.access === 'metrics').map((r) => r.key),
      ['GET /metrics'],
    );
    assert.ok(t.length > 25, `${t.length} routes`);
  });
  it('no token → 401 unauthorized with WWW-Authenticate: Bearer on every protected route', async () => {
    for (const r of table().filter((x) => !['open', 'sign-in', 'peer'].includes(x.access))) {
      const a = await call(r.path, r.method);
      assert.equal(a.status, 401, r.key);
      assert.equal(a.body.error?.code, 'unauthorized', r.key);
      assert.match(a.auth ?? '', /^Bearer/, r.key);
    }
  });
  it("the peer routes are the mesh's; without a paired hub's signature they refuse 'unpaired', an owner token or not", async () => {
    const peer = table().filter((r) => r.access === 'peer');
    assert.deepStrictEqual(peer.map((r) => r.key).sort(), ['POST /v1/mesh/fingerprint', 'POST /v1/mesh/heads', 'POST /v1/mesh/page']);
    for (const r of peer)
      for (const t of [undefined, h.hub.ownerToken]) {
        const a = await call(r.path, r.method, t);
        assert.deepStrictEqual([a.status, a.body.error?.code], [403, 'unpaired'], r.key);
      }
  });
  it('each open route answers without a token (neither 401 nor 403)', async () => {
    for (const r of table().filter((x) => x.access === 'open')) {
      const a = await call(r.path, r.method);
      assert.ok(a.status !== 401 && a.status !== 403, `${r.key}: ${a.status} ${JSON.stringify(a.body)}`);
    }
    assert.deepStrictEqual((await call('/v1/health', 'GET')).body, { ok: true });
  });
  it('an admin token passes the check on every route (sign-in routes judge their own credential)', async () => {
    for (const r of table().filter((x) => x.access !== 'sign-in')) {
      const a = await call(r.path, r.method, h.hub.ownerToken);
      assert.ok(a.body.error?.code !== 'unauthorized' && a.body.error?.code !== 'forbidden', `${r.key}: ${a.status} ${JSON.stringify(a.body)}`);
    }
  });
});

describe('scopes', () => {
  it('a read token reads but cannot administer: rules POST, token and node admin routes → 403 forbidden', async () => {
    const read = token('reader', 'read');
    for (const path of ['/v1/nodes', '/v1/events', '/v1/rules', '/v1/effects', '/v1/time/status', '/v1/pulse', '/metrics'])
      assert.equal((await call(path, 'GET', read)).status, 200, path);
    for (const r of table().filter((x) => x.access === 'admin')) {
      const a = await call(r.path, r.method, read);
      assert.deepStrictEqual([a.status, a.body.error?.code], [403, 'forbidden'], r.key);
    }
    assert.ok(table().some((r) => r.key === 'POST /v1/rules' && r.access === 'admin'));
    assert.ok(table().some((r) => r.key === 'POST /v1/tokens' && r.access === 'admin'));
  });
  it("agents (host/mcp/): /mcp and the pending list are read; confirming or declining an agent's proposal is admin", async () => {
    const access = Object.fromEntries(table().map((r) => [r.key, r.access]));
    assert.deepStrictEqual(
      ['POST /mcp', 'GET /v1/effects/pending', 'POST /v1/effects/confirm', 'POST /v1/effects/decline'].map((k) => access[k]),
      ['read', 'read', 'admin', 'admin'],
    );
    const read = token('agent', 'read');
    assert.equal((await call('/v1/effects/pending', 'GET', read)).status, 200);
    for (const path of ['/v1/effects/confirm', '/v1/effects/decline']) assert.equal((await call(path, 'POST', read)).status, 403, path);
  });
  it('a metrics token reads /metrics and nothing else', async () => {
    const m = token('scraper', 'metrics');
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${m}` } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# HELP /m);
    for (const r of table().filter((x) => x.access === 'read' || x.access === 'admin')) {
      const a = await call(r.path, r.method, m);
      assert.deepStrictEqual([a.status, a.body.error?.code], [403, 'forbidden'], r.key);
    }
  });
  it('a revoked token and an expired token fail with 401; so does an unknown one', async () => {
    const gone = token('gone', 'admin');
    assert.equal((await call('/v1/nodes', 'GET', gone)).status, 200);
    h.hub.cartridge.tokens.revoke('gone', now);
    assert.equal((await call('/v1/nodes', 'GET', gone)).status, 401);
    const brief = token('brief', 'read', now + 60_000);
    assert.equal((await call('/v1/nodes', 'GET', brief)).status, 200);
    now += 60_000;
    assert.equal((await call('/v1/nodes', 'GET', brief)).status, 401);
    assert.equal((await call('/v1/nodes', 'GET', `fzt_${'a'.repeat(52)}`)).status, 401);
    const odd = await fetch(`${h.url}/v1/nodes`, { headers: { authorization: 'Basic b3duZXI6cHc=' } });
    assert.equal(odd.status, 401);
  });
  it('tokens are stored as SHA-256 only and listed without their secret', async () => {
    const secret = token('listed', 'read');
    const rows = h.hub.cartridge.db.prepare('SELECT * FROM tokens').all() as Record<string, unknown>[];
    assert.ok(!JSON.stringify(rows).includes(secret.slice(4)));
    const r = await fetch(`${h.url}/v1/tokens`, { headers: { authorization: `Bearer ${h.hub.ownerToken}` } });
    const text = await r.text();
    assert.match(text, /"name":"listed"/);
    assert.ok(!text.includes(secret) && !text.includes(h.hub.ownerToken), 'no secret in the list');
  });
  it('a bad token never appears in the log, the answer or the URL', async () => {
    const bad = `fzt_${'q'.repeat(52)}`;
    const a = await call('/v1/rules', 'POST', bad);
    assert.equal(a.status, 401);
    assert.ok(!JSON.stringify(a.body).includes(bad));
    const s = await fetch(`${h.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"token": "${bad}"` });
    assert.equal(s.status, 400);
    assert.ok(!(await s.text()).includes('qqqq'), 'a malformed sign-in body is not echoed');
    assert.ok(
      lines.every((l) => !l.includes('qqqq') && !l.includes(h.hub.ownerToken)),
      lines.join('\n'),
    );
  });
});

describe('owner.token', () => {
  it('is written on first start with mode 0600, kept across restarts while valid, replaced once revoked', async () => {
    const tmp = tempDir('fazt-owner-');
    try {
      const file = join(tmp.dir, 'owner.token');
      const hub = new Hub({ dataDir: tmp.dir, port: 0, log: () => undefined });
      await hub.start();
      const first = readFileSync(file, 'utf8').trim();
      assert.equal(first, hub.ownerToken);
      assert.match(first, /^fzt_[a-z2-7]{52}$/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      await hub.stop();
      const again = new Hub({ dataDir: tmp.dir, port: 0, log: () => undefined });
      await again.start();
      assert.equal(again.ownerToken, first, 'not rewritten while valid');
      again.cartridge.tokens.revoke('owner', Date.now());
      await again.stop();
      writeFileSync(file, 'garbage', { mode: 0o644 });
      const third = new Hub({ dataDir: tmp.dir, port: 0, log: () => undefined });
      await third.start();
      assert.notEqual(third.ownerToken, first);
      assert.equal(readFileSync(file, 'utf8').trim(), third.ownerToken);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(third.cartridge.tokens.list().filter((t) => t.name === 'owner' && t.revokedAt === null).length, 1);
      await third.stop();
    } finally {
      tmp.cleanup();
    }
  });
});
