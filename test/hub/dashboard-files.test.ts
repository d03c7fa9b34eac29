import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ownerAuth, startHub, tempDir } from './helpers.js';

describe('the dashboard’s static files', () => {
  const site = tempDir('fazt-site-');
  let h: Awaited<ReturnType<typeof startHub>>;
  const script = `console.log(${JSON.stringify('x'.repeat(2000))});\n`;
  before(async () => {
    mkdirSync(join(site.dir, 'assets'));
    writeFileSync(join(site.dir, 'index.html'), '<!doctype html><script type="module" src="/assets/main-ABC123.js"></script>\n');
    writeFileSync(join(site.dir, 'assets', 'main-ABC123.js'), script);
    h = await startHub({ dashboardDir: site.dir });
  });
  after(async () => {
    await h.stop();
    site.cleanup();
  });

  it('serves / with a strict CSP, nosniff and revalidation; hashed assets are immutable', async () => {
    const page = await fetch(`${h.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline script, no eval');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const etag = page.headers.get('etag') ?? '';
    assert.match(await page.text(), /main-ABC123\.js/);
    const again = await fetch(`${h.url}/`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const js = await fetch(`${h.url}/assets/main-ABC123.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(await js.text(), script);
    assert.equal((await fetch(`${h.url}/assets/nothing.js`)).status, 404);
  });

  it('compresses with brotli or gzip as the client accepts', async () => {
    const { request } = await import('node:http');
    const raw = (encoding: string) =>
      new Promise<{ encoding: string | undefined; body: Buffer }>((ok, fail) => {
        const req = request(`${h.url}/assets/main-ABC123.js`, { headers: { 'accept-encoding': encoding } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => ok({ encoding: res.headers['content-encoding'], body: Buffer.concat(parts) }));
        });
        req.on('error', fail);
        req.end();
      });
    const br = await raw('gzip, deflate, br');
    assert.equal(br.encoding, 'br');
    assert.ok(br.body.length < script.length / 10);
    assert.equal(brotliDecompressSync(br.body).toString(), script);
    const gz = await raw('gzip');
    assert.equal(gz.encoding, 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), script);
    const plain = await raw('identity');
    assert.equal(plain.encoding, undefined);
    assert.equal(plain.body.toString(), script);
  });

  it('reads each file when asked for: the build’s compressed copy when there is one, a file written after start-up too', async () => {
    // The build writes main-*.js.br and .gz beside main-*.js: served as they are, never a route of their own.
    const later = 'console.log("written after the hub started");\n';
    writeFileSync(join(site.dir, 'assets', 'late-DEF456.js'), later);
    writeFileSync(join(site.dir, 'assets', 'late-DEF456.js.br'), brotliCompressSync(Buffer.from(later)));
    const fromCopy = await fetch(`${h.url}/assets/late-DEF456.js`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(fromCopy.headers.get('content-encoding'), 'br');
    assert.equal(await fromCopy.text(), later);
    writeFileSync(join(site.dir, 'assets', 'late-DEF456.js.br'), brotliCompressSync(Buffer.from('the copy, not the file')));
    assert.equal(await (await fetch(`${h.url}/assets/late-DEF456.js`, { headers: { 'accept-encoding': 'br' } })).text(), 'the copy, not the file');
    assert.equal((await fetch(`${h.url}/assets/late-DEF456.js.br`)).status, 404);
    assert.equal((await fetch(`${h.url}/assets/..%2Findex.html`)).status, 404);
  });

  it('the API keeps its own routes and refusals', async () => {
    assert.equal((await fetch(`${h.url}/v1/nodes`)).status, 401, 'the files are open, the data is not');
    assert.equal((await fetch(`${h.url}/v1/nodes`, { headers: ownerAuth(h.url) })).status, 200);
    const missing = await fetch(`${h.url}/v2/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not-found');
  });

  it('says the dashboard is not built when it is not', async () => {
    const bare = await startHub({ dashboardDir: join(site.dir, 'missing') });
    try {
      const r = await fetch(`${bare.url}/`);
      assert.equal(r.status, 503);
      assert.match(await r.text(), /npm run build/);
    } finally {
      await bare.stop();
    }
  });
});
