import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FAZT, killHard, type ScriptChild, startFaztHub, stopGently } from '../helpers/child-process.js';
import { Mosquitto, mosquittoSkip } from '../helpers/mosquitto.js';
import { NatsServer, natsSkip } from '../helpers/nats-server.js';
import { until } from '../helpers/wait.js';
import { tempDir } from '../hub/helpers.js';

/**
 * `fazt --help` or `fazt event verify` should not pay for packages only a
 * few paths use (about 0.3 s of CPU a start, bench/cli-start.ts): the MCP
 * SDK and zod (POST /mcp, `fazt mcp`), mqtt (`fazt hub --mqtt`) and the NATS
 * client (`fazt hub --mesh-nats`) are imported where they are used. Here:
 * the bundle imports them only that way, and those paths still run from it.
 */
const LAZY = ['@modelcontextprotocol/sdk', 'zod', 'mqtt', '@nats-io/transport-node', '@nats-io/jetstream'];
const of = (pkg: string) => (spec: string) => spec === pkg || spec.startsWith(`${pkg}/`);

describe('packages only some commands need', () => {
  it('are imported by dist/fazt.js only where used (a dynamic import), never at its start', () => {
    const bundle = readFileSync(FAZT, 'utf8');
    const atStart = [...bundle.matchAll(/^import\s(?:[^;]*?\sfrom\s)?"([^"]+)";/gm)].map((m) => m[1]);
    const whereUsed = [...bundle.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.ok(atStart.includes('better-sqlite3'), `the static imports are found: ${atStart.join(' ')}`);
    for (const pkg of LAZY) {
      assert.deepEqual(atStart.filter(of(pkg)), [], `${pkg} is not imported at start`);
      assert.ok(whereUsed.some(of(pkg)), `${pkg} is imported where used`);
    }
  });

  describe('fazt hub (built) --mqtt --mesh-nats, and POST /mcp', { skip: mosquittoSkip ?? natsSkip }, () => {
    const tmp = tempDir('fazt-lazy-');
    let mqtt: Mosquitto | undefined;
    let nats: NatsServer | undefined;
    let hub: ScriptChild | undefined;
    after(async () => {
      if (hub) await killHard(hub.proc);
      await mqtt?.cleanup();
      await nats?.cleanup();
      tmp.cleanup();
    });

    it('connects to the broker and to NATS, and answers an MCP initialize', async () => {
      mqtt = await Mosquitto.start();
      nats = await NatsServer.start();
      const password = join(tmp.dir, 'nats-password');
      writeFileSync(password, `${nats.users.password}\n`);
      const data = join(tmp.dir, 'data');
      const h = await startFaztHub(data, [
        '--log-json',
        '--mqtt',
        mqtt.url,
        '--mesh-nats',
        nats.url,
        '--mesh-nats-user',
        nats.users.user,
        '--mesh-nats-password-file',
        password,
      ]);
      hub = h;
      const records = () =>
        h
          .err()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const logged = (what: string, match: (r: Record<string, unknown>) => boolean) => until(() => records().find(match), what, 10_000, h.err);
      await logged('the hub connected to Mosquitto', (r) => r.code === 'mqtt-connected');
      await logged('the hub connected to NATS', (r) => r.event === 'mesh-nats' && r.state === 'connected');

      const token = readFileSync(join(data, 'owner.token'), 'utf8').trim();
      const initialize = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'lazy-packages-test', version: '1' } };
      const res = await fetch(`${h.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: initialize }),
      });
      const body = (await res.json()) as { result?: { serverInfo: { name: string }; capabilities: Record<string, unknown> } };
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.result?.serverInfo.name, 'fazt');
      assert.ok(body.result?.capabilities.tools, JSON.stringify(body));

      hub = undefined;
      assert.equal(await stopGently(h), 0, h.err());
    });
  });
});
