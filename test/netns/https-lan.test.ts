/**
 * HTTPS on the LAN (README "HTTPS on the LAN"): a hub listening on its LAN
 * address in one namespace, clients in another. Skips, saying why, where
 * namespaces cannot be made (not root, no iproute2).
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FAZT, requireBuild } from '../helpers/child-process.js';
import { dataDir, startFazt } from '../helpers/lan-fazt.js';
import { createLan, netnsUnavailable } from '../helpers/netns.js';

const skip = netnsUnavailable();
const WRONG = `sha256:${'cd'.repeat(32)}`;

interface ClientResults {
  plainEvents: { status: number; body: { error: { code: string; message: string } } };
  plainBeacon: number;
  pinnedEvents: number;
  pinnedEventsNoToken: number;
  tlsSession: { status: number; setCookie: string; events: number };
  wrongPin: string;
  unpinned: string;
  plainEnroll: number;
  tlsUplink: { ack: number; stored: number };
  plainUplink: { ack: number; stored: number };
  wrongPinUplink: { ok: boolean; refused: boolean; message: string };
}

describe('HTTPS on a namespaced LAN', { skip }, () => {
  it('serves TLS with a pinned certificate beside plain HTTP for the node routes only', { timeout: 90_000 }, async () => {
    requireBuild();
    const lan = await createLan({ hosts: 2, label: 'tls' });
    const data = dataDir('tls');
    const [h1, h2] = lan.hosts;
    const hub = startFazt(lan, h1, ['hub', '--data', data, '--listen', `${h1.address}:7070`]);
    try {
      const [, httpsUrl, printed] = await hub.waitOut(/^https (https:\/\/\S+) certificate (sha256:[0-9a-f]{64}) /);
      assert.equal(httpsUrl, `https://${h1.address}:7070`);
      const cert = new X509Certificate(readFileSync(join(data, 'hub-cert.pem')));
      assert.equal(printed, `sha256:${createHash('sha256').update(cert.raw).digest('hex')}`, 'fazt hub prints the fingerprint of the certificate it serves');
      // The hub's key is in its cartridge (migration step 10), read beside the running hub.
      const db = new Database(join(data, 'fazt.db'), { readonly: true });
      const hubKey = db.prepare('SELECT id, lower(hex(public_key)) AS publicKey FROM hub_identity').get() as { id: string; publicKey: string };
      db.close();
      assert.equal(Buffer.from(cert.publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('hex'), hubKey.publicKey, "made for the hub's key");
      assert.match(cert.subjectAltName ?? '', new RegExp(`IP Address:${h1.address.replace(/\./g, '\\.')}`));

      const invite = JSON.parse(execFileSync(process.execPath, [FAZT, 'invite', '--data', data, '--json'], { encoding: 'utf8' })) as {
        token: string;
        fingerprint: string;
      };
      assert.equal(invite.fingerprint, printed, 'the invite carries the fingerprint');

      const owner = readFileSync(join(data, 'owner.token'), 'utf8').trim();
      const arg = JSON.stringify({ http: `http://${h1.address}:7070`, https: httpsUrl, fingerprint: printed, token: invite.token, owner });
      const r = await lan.run(h2, process.execPath, ['--import', 'tsx', 'test/netns/fixtures/https-client.ts', arg], { timeoutMs: 30_000, env: process.env });
      assert.equal(r.code, 0, r.stderr);
      const c = JSON.parse(r.stdout) as ClientResults;
      assert.equal(c.plainEvents.status, 403, 'plain HTTP from the LAN does not read the events');
      assert.equal(c.plainEvents.body.error.code, 'https-required');
      assert.ok(c.plainEvents.body.error.message.includes(`${httpsUrl}/v1/events`), c.plainEvents.body.error.message);
      assert.equal(c.plainBeacon, 200, 'the beacon record is a node route');
      assert.equal(c.pinnedEventsNoToken, 401, 'HTTPS alone reads nothing: the owner does');
      assert.equal(c.pinnedEvents, 200, "HTTPS with the pinned certificate and the owner's token reads them");
      assert.equal(c.tlsSession.status, 204, 'a browser signs in over HTTPS');
      assert.match(
        c.tlsSession.setCookie,
        /^fazt_session=…; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+; Secure$/,
        'over TLS the session cookie is Secure',
      );
      assert.equal(c.tlsSession.events, 200, 'and the cookie reads as the owner');
      assert.match(c.wrongPin, /presented certificate sha256:[0-9a-f]{64}, not the pinned sha256:(ab){32}/);
      assert.match(c.unpinned, /fetch failed/, 'without the pin the self-signed certificate is not trusted');
      assert.equal(c.plainEnroll, 200, 'enrolment is a node route: plain HTTP reaches it');
      assert.deepEqual([c.tlsUplink.ack, c.tlsUplink.stored], [1, 1], `a node with hub.fingerprint uplinks over HTTPS: ${JSON.stringify(c.tlsUplink)}`);
      assert.deepEqual([c.plainUplink.ack, c.plainUplink.stored], [2, 1], 'and one without it over plain HTTP');
      assert.equal(c.wrongPinUplink.ok, false);
      assert.match(c.wrongPinUplink.message, /not the pinned sha256:(ab){32}: refusing to talk to it/);

      // The CLI pins too, and says why it will not talk to another certificate.
      const ok = await lan.run(h2, process.execPath, [FAZT, 'time', 'status', '--hub', httpsUrl, '--fingerprint', printed, '--json'], {
        env: { ...process.env, FAZT_TOKEN: owner },
      });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(typeof (JSON.parse(ok.stdout) as { now: number }).now, 'number');
      const bad = await lan.run(h2, process.execPath, [FAZT, 'time', 'status', '--hub', httpsUrl, '--fingerprint', WRONG], {
        env: { ...process.env, FAZT_TOKEN: owner },
      });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /not the pinned sha256:(cd){32}/);
      const plain = await lan.run(h2, process.execPath, [FAZT, 'time', 'status', '--hub', `http://${h1.address}:7070`], { env: process.env });
      assert.notEqual(plain.code, 0);
      assert.match(plain.stderr, /403 for \/v1\/time\/status: this route needs HTTPS/);
    } finally {
      await hub.stop('SIGKILL').catch(() => null);
      await lan.destroy();
      rmSync(data, { recursive: true, force: true });
    }
  });
});
