/**
 * A node of one's own without the source: `fazt node init` from an invite,
 * `fazt node check`, `fazt sim node --config` against a real hub on the
 * loopback (firmware in XS, device models for the configuration's sensors),
 * the hub storing that node's readings; `fazt firmware build --config` takes
 * the same file. And every shipped example (examples/nodes/) passes the
 * check but for its placeholder keys, and runs in the simulator.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BeaconEndpoint } from '../../firmware/beacon/ssdp-endpoint.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { loadOrCreateHubKey } from '../../host/hub/hub-key.js';
import type { FirmwareManifest } from '../../host/moddable/firmware-manifest.js';
import { firmwareBuild } from '../../host/moddable/firmware-build.js';
import { checkNodeConfig } from '../../host/node-config/node-config-check.js';
import { ConfigNode } from '../../sim/node/config-node.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { realTime } from '../beacon/real-time.js';

const root = new URL('../..', import.meta.url).pathname;
/** The built CLI (npm test builds dist/ first): a start through tsx costs three times the CPU. */
const cli = (args: string[]) => [process.execPath, [join(root, 'dist/fazt.js'), ...args]] as const;
const entropy = (n: number) => new Uint8Array(randomBytes(n));
const time = realTime();
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  time.dispose();
});

function fazt(args: string[]): { code: number | null; out: string; err: string } {
  const [cmd, argv] = cli(args);
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A running `fazt sim node --json …`: its JSON lines as they come; stop() ends it with SIGTERM, as a person would. */
function simNode(args: string[]) {
  const [cmd, argv] = cli(['sim', 'node', '--json', ...args]);
  const proc = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => proc.exitCode === null && proc.kill('SIGKILL'));
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => void (err += d));
  const closed = new Promise<number | null>((done) => proc.once('close', (code) => done(code)));
  /** Polls `ready` until it holds (the process still running), or fails naming `what`. */
  const until = async (ready: () => boolean, what: string, ms = 60_000) => {
    for (const end = Date.now() + ms; !ready(); await new Promise((r) => setTimeout(r, 100)))
      if (Date.now() > end || proc.exitCode !== null)
        throw new Error(`sim node: no ${what} within ${ms} ms; lines ${JSON.stringify(lines.slice(-5))}; stderr ${err.slice(-500)}`);
  };
  const stop = async () => {
    proc.kill('SIGTERM');
    return { code: await closed, err };
  };
  return { lines, until, stop };
}

async function startHub(dir: string): Promise<{ hub: Hub; url: string; port: number; data: string }> {
  const data = join(dir, 'data');
  const hub = new Hub({ dataDir: data, host: '127.0.0.1', port: 0, log: () => undefined });
  cleanup.push(() => hub.stop().catch(() => undefined));
  const addr = await hub.start();
  return { hub, url: addr.url, port: addr.port, data };
}

/** What the hub stored from a node: the components (sensor names) of its sensor events. */
function storedComponents(hub: Hub, node: string): Set<string> {
  const seen = new Set<string>();
  for (const e of hub.cartridge.chain(node)) if (e.type.startsWith('sensor.')) seen.add(e.source.slice(e.source.indexOf('/') + 1));
  return seen;
}

describe('a node of your own, from a running hub, without the source', () => {
  it('init from an invite → check → sim node --config --hub (XS) → the hub stores its sensors; firmware build takes the file', {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-own-node-'));
    const { hub, url, data } = await startHub(dir);
    const made = fazt(['invite', '--data', data, '--json']);
    assert.equal(made.code, 0, made.err);
    const invite = join(dir, 'invite.json');
    writeFileSync(invite, made.out);

    const node = join(dir, 'node.json');
    const init = fazt([
      'node',
      'init',
      '--board',
      'esp32-c3-devkitm-1',
      '--sensor',
      'sht4x@0x44',
      '--sensor',
      'pir@6',
      '--invite',
      invite,
      '--interval',
      '2s',
      '--name',
      'porch',
      '-o',
      node,
      '--json',
    ]);
    assert.equal(init.code, 0, init.err);
    const made2 = JSON.parse(init.out) as { id: string; hub: string };
    assert.equal(made2.hub, 'beacon');
    const check = fazt(['node', 'check', node]);
    assert.equal(check.code, 0, check.err);

    const run = simNode(['--config', node, '--hub', url]);
    const stored = () => storedComponents(hub, made2.id);
    await run.until(
      () => run.lines.some((l) => l.event === 'acked') && stored().has('sht4x') && stored().has('pir'),
      'an acknowledgement and readings of sht4x and pir at the hub',
    );
    const end = await run.stop();
    assert.equal(end.code, 0, `${end.err} ${JSON.stringify(run.lines.slice(-3))}`);
    const started = run.lines[0];
    assert.deepEqual([started.event, started.node, started.runtime, started.url], ['started', made2.id, 'xs', url]);
    assert.deepEqual(run.lines[1], { event: 'enrolled', node: made2.id, hub: nodeIdFromPublicKey(hub.publicKey, nodeCrypto) });
    assert.ok(
      run.lines.some((l) => l.event === 'acked'),
      JSON.stringify(run.lines),
    );
    assert.equal(run.lines[run.lines.length - 1].event, 'stopped');
    const node1 = hub.cartridge.nodes().find((x) => x.id === made2.id);
    assert.equal(node1?.name, 'porch');
    assert.deepEqual([...storedComponents(hub, made2.id)].filter((c) => c !== 'system').sort(), ['pir', 'sht4x']);

    // The device build takes the very file (the folder is written; exit 3 without Moddable's tools).
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const out = join(dir, 'firmware');
    const code = await firmwareBuild({ config: node, outDir: out, env: { PATH: bin }, out: () => undefined, err: () => undefined });
    assert.equal(code, 3);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as FirmwareManifest;
    assert.deepEqual(manifest.config.fazt.node, JSON.parse(readFileSync(node, 'utf8')));
  });

  it('without a hub URL the configuration finds its hub by Beacon, enrols with its token and uplinks', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-own-node-'));
    const { hub, port, data } = await startHub(dir);
    const hubIdentity = loadOrCreateHubKey(hub.cartridge, data, nodeCrypto, entropy);
    const ssdpPort = 20_000 + Math.floor(Math.random() * 12_000);
    // The hub's own beacon stays off on the loopback (node-ssdp); a test-side announcer signs for it.
    const beacon = new BeaconEndpoint({
      udp: (o) => {
        const s = new LinuxUdp(o, { interfaces: ['127.0.0.1'] });
        cleanup.push(() => s.close());
        return {
          get port() {
            return s.port;
          },
          read: () => s.read(),
          write: (b, a, p) => s.write(b, a, p),
          close: () => void setTimeout(() => s.close(), 20),
        };
      },
      time,
      crypto: nodeCrypto,
      port: ssdpPort,
      announceMs: 30_000,
      self: {
        identity: hubIdentity,
        fields: { kind: 'hub', name: 'hub', board: 'pi', version: '0.1.0', services: ['uplink', 'enroll'], addresses: ['127.0.0.1'], port },
      },
    });
    beacon.start();
    cleanup.push(() => beacon.stop());
    const invite = hub.cartridge.createInvite({ ttlMs: 60_000 });
    const node = join(dir, 'node.json');
    const init = fazt([
      'node',
      'init',
      '--board',
      'esp32-s3-devkitc-1',
      '--sensor',
      'bh1750',
      '--sensor',
      'button@7',
      '--hub-key',
      toHex(hub.publicKey),
      '--token',
      invite.token,
      '--interval',
      '2s',
      '-o',
      node,
      '--json',
    ]);
    assert.equal(init.code, 0, init.err);
    const id = (JSON.parse(init.out) as { id: string }).id;
    const run = simNode(['--config', node, '--ssdp-port', String(ssdpPort), '--interface', '127.0.0.1', '--window', '3s']); // the search ends at the first answer
    await run.until(
      () => run.lines.some((l) => l.event === 'acked') && storedComponents(hub, id).has('bh1750'),
      'an acknowledgement and readings of bh1750 at the hub',
    );
    const end = await run.stop();
    assert.equal(end.code, 0, `${end.err} ${JSON.stringify(run.lines.slice(-3))}`);
    assert.ok(
      run.lines.some((l) => l.event === 'found' && l.hub === hubIdentity.id),
      JSON.stringify(run.lines),
    );
    assert.ok(run.lines.some((l) => l.event === 'enrolled' && l.node === id));
    assert.ok(run.lines.some((l) => l.event === 'acked'));
  });

  it('every example in examples/nodes passes node check but for its placeholder keys, and runs in the simulator', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-examples-'));
    const { hub, url } = await startHub(dir);
    const files = readdirSync(join(root, 'examples/nodes')).sort();
    const esp32 = readdirSync(join(root, 'boards'))
      .filter((f) => f.startsWith('esp32'))
      .sort();
    assert.deepEqual(files, esp32, 'one example per ESP32 board');
    for (const f of files) {
      const doc = JSON.parse(readFileSync(join(root, 'examples/nodes', f), 'utf8')) as Record<string, unknown> & {
        hub: Record<string, string>;
        sensors: { name: string }[];
      };
      assert.equal(`${doc.board}.json`, f);
      assert.deepEqual(
        checkNodeConfig(doc).map((p) => `${p.path} ${p.kind}`),
        ['secretKey example-key', 'hub.publicKey example-key'],
        f,
      );
      const token = hub.cartridge.createInvite({ ttlMs: 60_000 }).token;
      const mine = { ...doc, secretKey: toHex(entropy(32)), hub: { ...doc.hub, publicKey: toHex(hub.publicKey), token } };
      assert.deepEqual(checkNodeConfig(mine), [], f);
      const clock = new VirtualClock(Date.now());
      const node = await ConfigNode.start({ config: mine, board: getBoard(String(doc.board)), clock, runtime: 'xs', hubUrl: url, lan: { announce: null } });
      try {
        const linked: string[] = [];
        for (let t = clock.now(), end = t + 30_000; t <= end; t += 5000) for (const e of (await node.run(t)).link) linked.push(e.event);
        assert.equal(linked[0], 'enrolled', f);
        assert.ok(linked.includes('acked'), `${f}: ${linked.join(' ')}`);
      } finally {
        await node.close();
      }
      const stored = storedComponents(hub, node.id);
      for (const s of doc.sensors) assert.ok(stored.has(s.name), `${f}: nothing stored from ${s.name} (${[...stored].join(', ')})`);
    }
  });
});
