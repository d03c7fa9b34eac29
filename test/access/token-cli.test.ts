import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { type Command, dispatch } from '../../host/cli/command.js';
import { nodeCommand } from '../../host/cli/commands/node.js';
import { tokenCommand } from '../../host/cli/commands/token.js';
import { tokenTravels } from '../../host/cli/hub-client.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { loadOrCreateHubCertificate } from '../../host/hub/tls/hub-certificate.js';
import { resolveHubLimits } from '../../host/hub/hub-limits.js';
import { hubListener, listenerGuard } from '../../host/hub/tls/hub-listener.js';
import { startHub } from '../hub/helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;

async function token(argv: string[], env: Record<string, string | undefined> = {}, command: Command = tokenCommand): Promise<string> {
  const saved = process.env.FAZT_TOKEN;
  if ('FAZT_TOKEN' in env) process.env.FAZT_TOKEN = env.FAZT_TOKEN;
  let out = '';
  try {
    const code = await dispatch(command, argv, ['fazt', command.name], {
      stdin: async () => Buffer.alloc(0),
      out: (t) => void (out += t),
      err: () => undefined,
    });
    assert.equal(code, 0);
  } finally {
    if (saved === undefined) delete process.env.FAZT_TOKEN;
    else process.env.FAZT_TOKEN = saved;
  }
  return out;
}

before(async () => {
  delete process.env.FAZT_TOKEN;
  h = await startHub({ log: () => undefined });
});
after(() => h.stop());

describe('fazt token create|list|revoke', () => {
  it("finds the owner token in --data DIR's owner.token; creates a token shown once, lists it without a secret, revokes it by name", async () => {
    const hub = ['--hub', h.url, '--data', h.dir];
    const made = await token(['create', '--name', 'laptop', '--scope', 'read', '--expires', '90d', ...hub]);
    const secret = made.split('\n')[0];
    assert.match(secret, /^fzt_[a-z2-7]{52}$/);
    assert.match(made, /token t[a-z2-7]{8} 'laptop', scope read, expires .* UTC: shown once/);
    assert.equal((await fetch(`${h.url}/v1/nodes`, { headers: { authorization: `Bearer ${secret}` } })).status, 200);
    const list = await token(['list', ...hub]);
    assert.match(list, /^ID +NAME +SCOPE +STATE/);
    assert.match(list, /\n\S+ +laptop +read +live /);
    assert.match(list, /\n\S+ +owner +admin +live /);
    assert.ok(!list.includes(secret) && !list.includes(h.hub.ownerToken));
    assert.match(await token(['revoke', 'laptop', ...hub]), /^revoked t[a-z2-7]{8} 'laptop'\n$/);
    assert.equal((await fetch(`${h.url}/v1/nodes`, { headers: { authorization: `Bearer ${secret}` } })).status, 401);
  });
  it('--token comes before FAZT_TOKEN, which comes before --data; a read token cannot create tokens', async () => {
    const { token: read } = h.hub.cartridge.tokens.create({ name: 'reader', scope: 'read', now: Date.now() });
    const hub = ['--hub', h.url];
    await assert.rejects(token(['list', ...hub, '--data', h.dir], { FAZT_TOKEN: read }), /hub answered 403/);
    assert.match(await token(['list', ...hub, '--token', h.hub.ownerToken], { FAZT_TOKEN: read }), /reader/);
    assert.match(await token(['list', ...hub], { FAZT_TOKEN: h.hub.ownerToken }), /reader/);
    await assert.rejects(token(['create', '--name', 'x', ...hub, '--token', read]), /hub answered 403 for \/v1\/tokens/);
    await assert.rejects(token(['list', ...hub, '--data', '/nonexistent']), /hub answered 401 .*no token found/);
  });
});

describe('where the CLI sends a token', () => {
  it('over HTTPS anywhere, over plain HTTP only to this machine: never across the LAN in clear', () => {
    for (const url of [
      'https://192.168.1.20:7070',
      'https://hub.local:7070',
      'http://127.0.0.1:7070',
      'http://127.0.0.2:7070',
      'http://localhost:7070',
      'http://[::1]:7070',
    ])
      assert.equal(tokenTravels(url), true, url);
    for (const url of ['http://192.168.1.20:7070', 'http://hub.local:7070', 'http://0.0.0.0:7070', 'http://[fe80::1]:7070'])
      assert.equal(tokenTravels(url), false, url);
  });
});

describe('the admin commands and an HTTPS hub', () => {
  it('fazt token and fazt node take --fingerprint: the pinned certificate is trusted, the token sent; a wrong pin sends nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-cli-tls-'));
    let pem: string | undefined; // the cartridge's slot, in memory here
    const slot = { certificate: () => pem, setCertificate: (p: string) => void (pem = p) };
    const tls = await loadOrCreateHubCertificate(slot, dir, identityFromSecretKey(new Uint8Array(32).fill(7), nodeCrypto), '127.0.0.1');
    const seen: string[] = [];
    const answers: Record<string, unknown> = { '/v1/tokens': { tokens: [] }, '/v1/nodes/retire': { node: { id: 'n1', name: 'porch' } } };
    const l = hubListener(
      (req, res) => {
        seen.push(`${'encrypted' in req.socket ? 'tls' : 'plain'} ${req.method} ${req.url} ${req.headers.authorization}`);
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[req.url ?? ''])));
      },
      tls,
      '127.0.0.1',
      listenerGuard(resolveHubLimits(), () => undefined),
    );
    await new Promise<void>((ok) => l.server.listen(0, '127.0.0.1', ok));
    const https = `https://127.0.0.1:${(l.server.address() as { port: number }).port}`;
    const pinned = ['--hub', https, '--fingerprint', tls.fingerprint, '--token', 'fzt_secret'];
    try {
      assert.match(await token(['list', ...pinned]), /^ID +NAME +SCOPE +STATE/);
      assert.equal(await token(['retire', 'porch', ...pinned], {}, nodeCommand), "retired n1 'porch'\n");
      assert.deepEqual(seen, ['tls GET /v1/tokens Bearer fzt_secret', 'tls POST /v1/nodes/retire Bearer fzt_secret']);
      await assert.rejects(
        token(['list', '--hub', https, '--fingerprint', `sha256:${'00'.repeat(32)}`, '--token', 'fzt_secret']),
        /not the pinned sha256:0{64}/,
      );
      assert.equal(seen.length, 2, 'a wrong pin sends nothing');
    } finally {
      l.closeAllConnections();
      await new Promise((ok) => l.server.close(ok));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
