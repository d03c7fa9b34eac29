import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { hostHttpPost } from '../../sim/node/host-http.js';
import { closedPort } from '../helpers/wait.js';

describe("a simulated node's HTTP POST on the host", () => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.concat([Buffer.from(`${req.method} ${req.headers['content-type']} `), Buffer.concat(chunks)]));
    });
  });
  let base = '';
  before(async () => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((ok) => server.close(() => ok())));

  it('sends the body with its type and answers the status and the body', async () => {
    const r = await hostHttpPost(`${base}/v1/uplink`, 'application/cbor', new Uint8Array([0xa1, 0x61, 0x61, 0x01]));
    assert.ok('status' in r, JSON.stringify(r));
    assert.equal(r.status, 200);
    assert.deepStrictEqual(Buffer.from(r.body), Buffer.concat([Buffer.from('POST application/cbor '), Buffer.from([0xa1, 0x61, 0x61, 0x01])]));
    const missing = await hostHttpPost(`${base}/missing`, 'application/json', new Uint8Array(0));
    assert.ok('status' in missing && missing.status === 404, JSON.stringify(missing));
  });

  it('a peer it cannot reach, or not a URL, is an {error}, never an exception', async () => {
    const port = await closedPort();
    assert.deepStrictEqual(await hostHttpPost(`http://127.0.0.1:${port}/v1/uplink`, 'application/cbor', new Uint8Array(1)), {
      error: `cannot reach http://127.0.0.1:${port}/v1/uplink: ECONNREFUSED`,
    });
    const bad = await hostHttpPost('not a url', 'application/cbor', new Uint8Array(1));
    assert.ok('error' in bad && /^cannot reach not a url: /.test(bad.error), JSON.stringify(bad));
  });
});
