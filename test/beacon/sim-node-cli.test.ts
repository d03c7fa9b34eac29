/**
 * `fazt sim node`: a simulated node (firmware in XS) with no hub address
 * finds its hub by Beacon, enrols with an invite and uplinks; the hub goes
 * away and comes back on another port, and the node follows it. All on the
 * loopback: the hub's beacon is off (node-ssdp will not stay on loopback) and
 * a test-side announcer signs for the hub with its key, on a random SSDP port,
 * multicast kept on 127.0.0.1 (--interface) on both sides.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BeaconEndpoint } from '../../firmware/beacon/ssdp-endpoint.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { generateIdentity, type NodeIdentity } from '../../firmware/identity/node-id.js';
import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { loadOrCreateHubKey } from '../../host/hub/hub-key.js';
import { realTime } from './real-time.js';

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

/** LinuxUdp on the loopback; close() waits a moment so a byebye written just before it still leaves (see ssdp-loopback.test.ts). */
function loopbackUdp(o: UdpOptions): UDP {
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
}

function announcer(ssdpPort: number, identity: NodeIdentity, apiPort: number, announceMs = 30_000): BeaconEndpoint {
  const e = new BeaconEndpoint({
    udp: loopbackUdp,
    time,
    crypto: nodeCrypto,
    port: ssdpPort,
    announceMs,
    self: {
      identity,
      fields: { kind: 'hub', name: 'hub', board: 'pi', version: '0.1.0', services: ['uplink', 'enroll'], addresses: ['127.0.0.1'], port: apiPort },
    },
  });
  e.start();
  cleanup.push(() => e.stop());
  return e;
}

/** A running `fazt sim node`, its --json lines parsed as they come. */
function simNode(args: string[]): {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  err: string[];
  wait: (match: (l: Record<string, unknown>) => boolean, what: string, ms?: number) => Promise<Record<string, unknown>>;
  exit: Promise<number | null>;
} {
  const [cmd, argv] = cli(['sim', 'node', '--json', ...args]);
  const proc = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => proc.exitCode === null && proc.kill('SIGKILL'));
  const lines: Record<string, unknown>[] = [];
  const err: string[] = [];
  let buf = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => err.push(d));
  const exit = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  const wait = async (match: (l: Record<string, unknown>) => boolean, what: string, ms = 20_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const l = lines.find(match);
      if (l) return l;
      if (Date.now() > end || proc.exitCode !== null)
        throw new Error(`sim node: no ${what} within ${ms} ms; lines: ${JSON.stringify(lines.slice(-6))}; stderr: ${err.join('').slice(-500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { proc, lines, err, wait, exit };
}

describe('fazt sim node: discovery, enrolment and uplink without a configured address', () => {
  it('finds the hub (not the decoy), enrols, uplinks; follows the hub to its new port; stops cleanly on SIGTERM; a second run on its --state continues its chain', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-sim-node-'));
    const data = join(dir, 'data');
    const ssdpPort = 20_000 + Math.floor(Math.random() * 12_000);
    let hub = new Hub({ dataDir: data, host: '127.0.0.1', port: 0, log: () => undefined });
    cleanup.push(() => hub.stop().catch(() => undefined));
    let addr = await hub.start();
    const hubIdentity = loadOrCreateHubKey(hub.cartridge, data, nodeCrypto, entropy);

    // The invite, as an operator makes it: it carries the hub's key.
    const [cmd, argv] = cli(['invite', '--data', data, '--json']);
    const made = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(made.status, 0, made.stderr);
    const invite = JSON.parse(made.stdout) as { token: string; hubKey: string };
    assert.equal(invite.hubKey, toHex(hub.publicKey));
    const inviteFile = join(dir, 'invite.json');
    writeFileSync(inviteFile, made.stdout);

    const decoy = generateIdentity(entropy, nodeCrypto);
    announcer(ssdpPort, decoy, addr.port, 500); // another hub on the LAN, announcing often
    let beacon = announcer(ssdpPort, hubIdentity, addr.port);
    const stateFile = join(dir, 'node.json');
    const args = [
      '--invite',
      inviteFile,
      '--state',
      stateFile,
      '--ssdp-port',
      String(ssdpPort),
      '--interface',
      '127.0.0.1',
      '--window', // the search ends at the first answer; a 1 s window missed answers on a loaded machine
      '3s',
      '--board',
      'esp32-c3-devkitm-1',
    ];
    const node = simNode(args);

    const started = await node.wait((l) => l.event === 'started', 'started', 60_000);
    assert.equal(started.runtime, 'xs');
    const found = await node.wait((l) => l.event === 'found', 'found');
    assert.deepEqual(found, { event: 'found', hub: hubIdentity.id, url: addr.url });
    const enrolled = await node.wait((l) => l.event === 'enrolled', 'enrolled');
    assert.equal(enrolled.node, started.node);
    await node.wait((l) => l.event === 'acked', 'an acknowledgement');
    await node.wait((l) => l.event === 'refused' && l.stage === 'beacon' && l.code === 'beacon-unexpected-key', "the decoy's refusal");
    assert.ok(hub.cartridge.hasNode(String(started.node)));
    assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).enrolled, hubIdentity.id);

    // The hub goes away (byebye), then comes back on another port.
    beacon.stop();
    await hub.stop();
    await node.wait((l) => l.event === 'lost', 'lost');
    const acksBefore = node.lines.filter((l) => l.event === 'acked').length;
    hub = new Hub({ dataDir: data, host: '127.0.0.1', port: 0, log: () => undefined });
    addr = await hub.start();
    beacon = announcer(ssdpPort, hubIdentity, addr.port);
    const again = await node.wait((l) => l.event === 'found' && l.url === addr.url, 'the hub at its new port');
    assert.equal(again.hub, hubIdentity.id);
    await node.wait((l) => l.event === 'acked' && node.lines.filter((x) => x.event === 'acked').length > acksBefore, 'an acknowledgement from the hub back');
    assert.equal(node.lines.filter((l) => l.event === 'enrolled').length, 1, 'enrolled once');

    node.proc.kill('SIGTERM');
    assert.equal(await node.exit, 0);
    const last = node.lines[node.lines.length - 1];
    assert.equal(last.event, 'stopped');
    assert.ok((last.acked as number) >= 2);
    assert.ok(hub.cartridge.counts().events > 0);

    // Run again on the same --state: the chain head kept beside it (node.prefs.json) continues the chain.
    assert.ok(existsSync(join(dir, 'node.prefs.json')), 'the preferences file beside the state');
    const head = hub.cartridge.head(String(started.node))?.seq ?? 0;
    const rerun = simNode(args);
    await rerun.wait((l) => l.event === 'acked' && (l.ack as number) > head, 'an acknowledgement past the head of the first run');
    assert.deepEqual(
      rerun.lines.filter((l) => l.event === 'refused' && l.stage === 'uplink'),
      [],
      'the hub took the continued chain',
    );
    assert.equal(rerun.lines.filter((l) => l.event === 'enrolled').length, 0, 'enrolled before: not again');
    rerun.proc.kill('SIGTERM');
    assert.equal(await rerun.exit, 0);
  });

  it('--runtime node: the same firmware on Node finds, enrols and uplinks; --announce makes the node a peer the hub hears; SIGINT stops it', {
    timeout: 90_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-sim-node-'));
    const data = join(dir, 'data');
    const ssdpPort = 20_000 + Math.floor(Math.random() * 12_000);
    const hub = new Hub({ dataDir: data, host: '127.0.0.1', port: 0, log: () => undefined });
    cleanup.push(() => hub.stop().catch(() => undefined));
    const addr = await hub.start();
    const hubIdentity = loadOrCreateHubKey(hub.cartridge, data, nodeCrypto, entropy);
    const invite = hub.cartridge.createInvite({ ttlMs: 60_000 });
    const inviteFile = join(dir, 'invite.json');
    writeFileSync(inviteFile, JSON.stringify({ token: invite.token, hubKey: toHex(hub.publicKey) }));
    const beacon = announcer(ssdpPort, hubIdentity, addr.port);
    const node = simNode([
      '--invite',
      inviteFile,
      '--runtime',
      'node',
      '--announce',
      '--ssdp-port',
      String(ssdpPort),
      '--interface',
      '127.0.0.1',
      '--window', // the search ends at the first answer; a 1 s window missed answers on a loaded machine
      '3s',
      '--name',
      'porch',
    ]);
    const started = await node.wait((l) => l.event === 'started', 'started', 60_000);
    assert.equal(started.runtime, 'node');
    await node.wait((l) => l.event === 'enrolled', 'enrolled');
    await node.wait((l) => l.event === 'acked', 'an acknowledgement');
    const seen = beacon.peers().find((p) => p.record.id === started.node);
    assert.equal(seen?.record.kind, 'node');
    assert.equal(seen?.record.name, 'porch');
    node.proc.kill('SIGINT');
    assert.equal(await node.exit, 0);
    assert.equal(node.lines[node.lines.length - 1].event, 'stopped');
    // Its byebye, sent on the way out, makes the hub forget it at once.
    for (let i = 0; i < 100 && beacon.peers().some((p) => p.record.id === started.node); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(!beacon.peers().some((p) => p.record.id === started.node), 'the node said goodbye');
  });

  it('refuses to start without the hub key, and says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-sim-node-'));
    const f = join(dir, 'invite.json');
    writeFileSync(f, JSON.stringify({ token: 'x' }));
    const [cmd, argv] = cli(['sim', 'node', '--invite', f]);
    const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /has no hubKey/);
    const [cmd2, argv2] = cli(['sim', 'node', '--hub-key', 'ab'.repeat(32), '--board', 'nope']);
    const r2 = spawnSync(cmd2, argv2, { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /--board 'nope' has no demo node/);
  });
});
