import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { resolveHubLimits } from '../../host/hub/hub-limits.js';
import { loadOrCreateHubCertificate } from '../../host/hub/tls/hub-certificate.js';
import { type HubListener, hubListener, listenerGuard } from '../../host/hub/tls/hub-listener.js';
import { getFrom, rawConnect, trickle } from './raw-client.js';

/** The listener a hub beyond loopback runs (TLS and plain HTTP on one port), its limits small. */
describe('beyond loopback: the TLS-or-HTTP front holds the same limits', () => {
  let l: HubListener;
  let port: number;
  let dir: string;
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fazt-hostile-tls-'));
    let pem: string | undefined;
    const slot = { certificate: () => pem, setCertificate: (p: string) => void (pem = p) };
    const tls = await loadOrCreateHubCertificate(slot, dir, identityFromSecretKey(new Uint8Array(32).fill(9), nodeCrypto), '127.0.0.1');
    const limits = resolveHubLimits({ headersTimeoutMs: 300, requestTimeoutMs: 600, connectionsPerAddress: 2 });
    l = hubListener(
      (_req, res) => res.end('ok'),
      tls,
      '127.0.0.1',
      listenerGuard(limits, (r) => lines.push(r)),
    );
    await new Promise<void>((ok) => l.server.listen(0, '127.0.0.1', ok));
    port = (l.server.address() as { port: number }).port;
  });
  after(async () => {
    l.closeAllConnections();
    await new Promise<void>((ok) => l.server.close(() => ok()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a connection that never sends its first byte is closed after the header timeout', async () => {
    const started = performance.now();
    const silent = await rawConnect(port, '127.0.0.21');
    assert.equal(await silent.closed, '', 'nothing is sent: the hub cannot know whether TLS was coming');
    assert.ok(performance.now() - started >= 300);
  });

  it('a connection over the cap is closed unread (it may be TLS: no plain answer), while another address is served', async () => {
    const held = await Promise.all([1, 2].map(() => rawConnect(port, '127.0.0.22')));
    const over = await rawConnect(port, '127.0.0.22');
    assert.equal(await over.closed, '');
    assert.equal((await getFrom(port, '/v1/health', '127.0.0.23')).status, 200);
    assert.deepStrictEqual(
      lines.filter((r) => r.error === 'too-many-connections').map((r) => [r.from, r.status]),
      [['127.0.0.22', 503]],
    );
    for (const c of held) c.socket.destroy();
  });

  it('plain HTTP headers a byte at a time are cut with 408', async () => {
    const slow = await rawConnect(port, '127.0.0.24');
    trickle(slow.socket, `GET /v1/health HTTP/1.1\r\nHost: hub\r\nX-Slow: ${'a'.repeat(10_000)}`, 20);
    assert.match(await slow.closed, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  });
});
