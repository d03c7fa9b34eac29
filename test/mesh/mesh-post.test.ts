import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MeshError } from '../../host/mesh/mesh-error.js';
import { keepAlivePost } from '../../host/mesh/mesh-post.js';

/** A loopback server whose answer each test picks by path; it counts the connections it accepted and those closed. */
describe('keepAlivePost (the mesh round transport)', () => {
  let server: Server;
  let base: string;
  const conns = { opened: 0, closed: 0 };
  const page = new Uint8Array(400_000).map((_, i) => i % 251);
  const answers: Record<string, (res: ServerResponse, body: Buffer) => void> = {
    '/page': (res, body) => {
      res.writeHead(200, { 'content-length': String(page.length), 'fazt-mesh-sig': `got ${body.length}` });
      res.end(page);
    },
    '/chunked': (res) => {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.write('{"error":');
      res.end('{"code":"fork"}}');
    },
    '/cut': (res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(new Uint8Array(10));
      setImmediate(() => res.socket?.destroy());
    },
    '/huge': (res) => {
      res.writeHead(200, { 'content-length': String(64 * 1024 * 1024) });
      res.write(new Uint8Array(10));
    },
    '/never': () => undefined,
  };

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => answers[req.url ?? '']?.(res, Buffer.concat(chunks)));
    });
    server.on('connection', (s) => {
      conns.opened++;
      s.once('close', () => conns.closed++);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  });

  const init = (timeoutMs = 5000) => ({ body: new Uint8Array([1, 2, 3]), headers: { 'fazt-mesh-sig': 'secret-signature' }, timeoutMs });

  it('reads a whole page into a plain Uint8Array, sends the body, and reuses one connection for requests in turn; close() ends it', async () => {
    const t = keepAlivePost('hub-a');
    const before = conns.opened;
    for (let i = 0; i < 3; i++) {
      const a = await t.post(new URL('/page', base), init());
      assert.equal(a.status, 200);
      assert.equal(Object.getPrototypeOf(a.body), Uint8Array.prototype);
      assert.deepEqual(a.body, page);
      assert.equal(a.headers['fazt-mesh-sig'], 'got 3');
    }
    assert.equal(conns.opened - before, 1);
    const closedBefore = conns.closed;
    t.close();
    for (let i = 0; i < 100 && conns.closed === closedBefore; i++) await new Promise((ok) => setTimeout(ok, 10));
    assert.equal(conns.closed - closedBefore, 1);
  });

  it('gives a refusal without a content-length whole, with its status', async () => {
    const t = keepAlivePost('hub-a');
    try {
      const a = await t.post(new URL('/chunked', base), init());
      assert.equal(a.status, 409);
      assert.equal(new TextDecoder().decode(a.body), '{"error":{"code":"fork"}}');
    } finally {
      t.close();
    }
  });

  for (const [path, why, timeoutMs] of [
    ['/cut', /ended after|cut off|aborted|socket hang up/, 5000],
    ['/huge', /announces 67108864 bytes/, 5000],
    ['/never', /timeout|aborted/i, 200],
  ] as const)
    it(`an answer that fails (${path.slice(1)}) is MeshError unreachable naming the peer and origin, never a header`, async () => {
      const t = keepAlivePost('hub-a');
      try {
        await assert.rejects(t.post(new URL(path, base), init(timeoutMs)), (e: unknown) => {
          assert.ok(e instanceof MeshError);
          assert.equal(e.code, 'unreachable');
          assert.match(e.message, new RegExp(`^hub-a at ${base.replace(/\./g, '\\.')}: `));
          assert.match(e.message, why);
          assert.doesNotMatch(e.message, /secret-signature/);
          return true;
        });
      } finally {
        t.close();
      }
    });

  it('a peer that is not listening is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((ok) => closed.close(ok));
    const t = keepAlivePost('hub-b');
    try {
      await assert.rejects(t.post(new URL('/page', url), init()), {
        name: 'MeshError',
        code: 'unreachable',
        message: /^hub-b at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
      });
    } finally {
      t.close();
    }
  });
});
