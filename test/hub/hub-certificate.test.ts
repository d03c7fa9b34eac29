import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { certFingerprint, parseFingerprint } from '../../host/crypto/cert-fingerprint.js';
import { pinnedFetch } from '../../host/crypto/pinned-fetch.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { type CertificateSlot, HUB_CERT_FILE, hubCertificateFingerprint, loadOrCreateHubCertificate } from '../../host/hub/tls/hub-certificate.js';
import { resolveHubLimits } from '../../host/hub/hub-limits.js';
import { hubListener, listenerGuard } from '../../host/hub/tls/hub-listener.js';
import { isLoopback } from '../../host/hub/tls/loopback.js';
import { plainAllowed } from '../../host/hub/tls/plain-allowed.js';

const key = (b: number) => identityFromSecretKey(new Uint8Array(32).fill(b), nodeCrypto);

/** Where the hub keeps its certificate (the cartridge's hub_identity row), in memory. */
function slot(): CertificateSlot & { pem?: string } {
  const s: CertificateSlot & { pem?: string } = { certificate: () => s.pem, setCertificate: (pem) => void (s.pem = pem) };
  return s;
}

describe("the hub's certificate", () => {
  it('is made for the hub key, kept, and remade when the key changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-cert-'));
    try {
      const kept = slot();
      const a = await loadOrCreateHubCertificate(kept, dir, key(1), '10.9.8.7');
      const cert = new X509Certificate(readFileSync(join(dir, HUB_CERT_FILE)));
      assert.equal(cert.toString(), kept.pem, 'the data folder has a copy of the one kept');
      assert.equal(a.fingerprint, certFingerprint(cert.raw));
      assert.match(a.fingerprint, /^sha256:[0-9a-f]{64}$/);
      assert.equal(cert.subject, `CN=${key(1).id}`);
      assert.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.9.8.7');
      assert.ok(cert.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(a.key))), 'its key is the hub key');
      assert.equal((await loadOrCreateHubCertificate(kept, dir, key(1), '10.9.8.6')).fingerprint, a.fingerprint, 'kept across restarts and address changes');
      assert.equal(hubCertificateFingerprint(kept, key(1)), a.fingerprint);
      assert.equal(hubCertificateFingerprint(kept, key(2)), undefined, 'not the certificate of another key');
      rmSync(join(dir, HUB_CERT_FILE));
      assert.equal((await loadOrCreateHubCertificate(kept, dir, key(1), '10.9.8.6')).fingerprint, a.fingerprint, 'the kept one is served, not the file');
      const fresh = slot();
      assert.equal(
        (await loadOrCreateHubCertificate(fresh, dir, key(1), '10.9.8.6')).fingerprint,
        a.fingerprint,
        "a data folder's hub-cert.pem is taken in once",
      );
      assert.equal(fresh.pem, kept.pem);
      const b = await loadOrCreateHubCertificate(kept, dir, key(2), '10.9.8.7');
      assert.notEqual(b.fingerprint, a.fingerprint, 'remade for a new key');
      assert.ok(new X509Certificate(b.cert).checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(b.key))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fingerprints parse in their two written forms and refuse anything else', () => {
    const hex = '0a'.repeat(32);
    assert.equal(parseFingerprint(`sha256:${hex}`, 'x'), `sha256:${hex}`);
    assert.equal(parseFingerprint(hex.toUpperCase().match(/../g)?.join(':') ?? '', 'x'), `sha256:${hex}`);
    assert.throws(() => parseFingerprint('sha256:abc', '--fingerprint'), /--fingerprint 'sha256:abc' is not a certificate fingerprint/);
  });
});

describe('plain HTTP beside HTTPS', () => {
  it('keys on the address: loopback is the machine, 0.0.0.0 and LAN addresses are not', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', 'localhost']) assert.ok(isLoopback(a), a);
    for (const a of ['0.0.0.0', '::', '10.0.0.2', '::ffff:10.0.0.2', 'fe80::1', '192.168.1.127']) assert.ok(!isLoopback(a), a);
  });

  it('allows the node routes only', () => {
    for (const [p, m] of [
      ['/v1/uplink', 'POST'],
      ['/v1/enroll', 'POST'],
      ['/v1/downlink', 'POST'],
      ['/v1/firmware/chunk', 'POST'],
      ['/v1/time', 'GET'],
      ['/v1/beacon', 'GET'],
      ['/v1/health', 'GET'],
      ['/v1/mesh/pair/key', 'GET'],
      ['/v1/mesh/pair', 'POST'],
      ['/v1/mesh/fingerprint', 'POST'],
      ['/v1/mesh/heads', 'POST'],
      ['/v1/mesh/page', 'POST'],
    ])
      assert.ok(plainAllowed(p, m), `${m} ${p}`);
    for (const [p, m] of [
      ['/v1/events', 'GET'],
      ['/v1/stream', 'GET'],
      ['/v1/time/status', 'GET'],
      ['/v1/uplink', 'GET'],
      ['/v1/rules', 'POST'],
      ['/v1/firmware', 'POST'],
      ['/v1/firmware', 'GET'],
      ['/metrics', 'GET'],
      ['/v1/mesh/pair/invite', 'POST'],
      ['/v1/mesh/pair/accept', 'POST'],
      ['/v1/mesh/sync', 'POST'],
      ['/v1/mesh/status', 'GET'],
      ['/v1/mesh/peers', 'GET'],
      ['/', 'GET'],
    ])
      assert.ok(!plainAllowed(p, m), `${m} ${p}`);
  });

  it('one port answers TLS with the pinned certificate and plain HTTP; a wrong pin sends nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-cert-'));
    const tls = await loadOrCreateHubCertificate(slot(), dir, key(3), '127.0.0.1');
    const seen: string[] = [];
    const l = hubListener(
      (req, res) => {
        seen.push(`${'encrypted' in req.socket ? 'tls' : 'plain'} ${req.method} ${req.url} ${req.socket.remoteAddress}`);
        req.resume();
        req.on('end', () => res.end('ok'));
      },
      tls,
      '127.0.0.1',
      listenerGuard(resolveHubLimits(), () => undefined),
    );
    await new Promise<void>((ok) => l.server.listen(0, '127.0.0.1', ok));
    const { port } = l.server.address() as { port: number };
    try {
      assert.equal(
        await (await pinnedFetch(`https://127.0.0.1:${port}/v1/events`, { method: 'POST', body: 'x'.repeat(100_000) }, tls.fingerprint)).text(),
        'ok',
      );
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/v1/events`)).text(), 'ok', 'plain HTTP from loopback reaches every route');
      await assert.rejects(pinnedFetch(`https://127.0.0.1:${port}/v1/events`, {}, `sha256:${'00'.repeat(32)}`), /not the pinned sha256:0{64}/);
      assert.deepEqual(seen, ['tls POST /v1/events 127.0.0.1', 'plain GET /v1/events 127.0.0.1']);
    } finally {
      l.closeAllConnections();
      await new Promise((ok) => l.server.close(ok));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
