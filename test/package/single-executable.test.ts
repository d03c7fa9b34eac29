import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { authFrom, cbor, post, TestNode } from '../hub/helpers.js';
import { packagedFazt } from './packaged-fazt.js';

/**
 * The single executable (npm run package) copied alone into an empty folder:
 * no node_modules, no source, no node on PATH, HOME and the cache inside the
 * temp folder. It runs the CLI, the hub with its dashboard, enrolment by
 * sound (ggwave's WASM) and an online backup; native code goes to a private
 * cache under its hash; what needs the XS engine says it needs the npm install.
 * (fazt restore is not on this branch yet: backup only.)
 */
describe('the single executable, alone in an empty folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-sea-'));
  const cache = join(dir, 'cache');
  const env = { HOME: join(dir, 'home'), XDG_CACHE_HOME: cache, PATH: join(dir, 'bin') };
  const exe = join(dir, 'fazt');
  const procs = new Set<ChildProcess>();
  const fazt = (args: string[]) => spawnSync(exe, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  let url = '';
  let hubId = '';

  before(async () => {
    const { file, packagedMs } = packagedFazt();
    if (packagedMs) console.log(`# packaged in ${(packagedMs / 1000).toFixed(1)} s`);
    mkdirSync(env.HOME);
    mkdirSync(env.PATH);
    copyFileSync(file, exe);
    assert.deepEqual(readdirSync(dir).sort(), ['bin', 'fazt', 'home'], 'the executable is alone');
    const hub = spawn(exe, ['hub', '--data', 'd', '--listen', '127.0.0.1:0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.add(hub);
    const exited = new Promise<void>((ok) => hub.once('exit', () => ok()));
    let out = '';
    let err = '';
    hub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    hub.stderr.on('data', (d: Buffer) => (err += d.toString()));
    url = await new Promise<string>((ok, fail) => {
      const check = () => {
        const m = /hub (\S+) listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          hubId = m[1];
          ok(m[2]);
        }
      };
      hub.stdout.on('data', check);
      void exited.then(() => fail(new Error(`the hub exited: ${out}${err}`)));
    });
  });

  after(async () => {
    for (const p of procs) {
      if (p.exitCode === null && p.signalCode === null) {
        const gone = new Promise((ok) => p.once('exit', ok));
        p.kill('SIGTERM');
        await gone;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help lists the commands', () => {
    const r = fazt(['--help']);
    assert.equal(r.status, 0, r.stderr);
    for (const c of ['hub', 'backup', 'invite', 'enroll', 'start']) assert.match(r.stdout, new RegExp(`\\n  ${c} `));
    assert.equal(r.stderr, '', 'no warning from Node about require()');
  });

  it('the hub answers /v1/health and serves the dashboard and its assets', async () => {
    assert.deepEqual(await (await fetch(`${url}/v1/health`)).json(), { ok: true });
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<title>Fazt<\/title>/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const js = await fetch(`${url}${script}`);
    assert.equal(js.status, 200);
    assert.ok((await js.text()).length > 10_000);
  });

  it('a node enrols by sound (ggwave) and its uplink is acknowledged', async () => {
    const inv = fazt(['invite', '--data', 'd', '--chirp', '-o', 'invite.wav', '--url', url]);
    assert.equal(inv.status, 0, inv.stderr);
    const node = new TestNode(9);
    writeFileSync(join(dir, 'key.json'), JSON.stringify({ secretKey: toHex(node.identity.secretKey) }));
    const en = fazt(['enroll', '--from-wav', 'invite.wav', '--key', 'key.json', '--name', 'packed']);
    assert.equal(en.status, 0, en.stderr);
    assert.match(en.stdout, new RegExp(`enrolled ${node.id}`));
    node.append(3);
    const r = await post(`${url}/v1/uplink`, cbor(node.batch(1, 3)));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.ack, 3);
    const nodes = (await (await fetch(`${url}/v1/nodes`, { headers: authFrom(join(dir, 'd')) })).json()) as { nodes: { id: string }[] };
    assert.deepEqual(
      nodes.nodes.map((n) => n.id),
      [node.id],
    );
  });

  it('fazt backup copies the live cartridge', () => {
    const r = fazt(['backup', '--data', 'd', '--json', 'copy.db']);
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { nodes: number; events: number };
    assert.equal(res.nodes, 1, "the node (the hub's own chain is not a node)");
    assert.ok(res.events >= 3, r.stdout);
    assert.ok(statSync(join(dir, 'copy.db')).size > 0);
  });

  it("fazt restore refuses the live hub's folder, and restores the backup elsewhere as the same hub", () => {
    const live = fazt(['restore', '--data', 'd', 'copy.db']);
    assert.notEqual(live.status, 0, 'a running hub holds d/fazt.db');
    const r = fazt(['restore', '--data', 'e', '--json', 'copy.db']);
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { hubId: string; keyInCartridge: boolean; nodes: number; heads: { node: string }[] };
    assert.equal(res.hubId, hubId, 'the same hub');
    assert.equal(res.keyInCartridge, true);
    assert.equal(res.nodes, 1);
    assert.equal(res.heads.length, 2, "the node's chain and the hub's, each verified");
  });

  it('native code sits in a private cache (0700) under its hash', () => {
    const own = join(cache, 'fazt');
    assert.equal(statSync(own).mode & 0o777, 0o700);
    const addon = readdirSync(own).find((f) => f.startsWith('better_sqlite3-'));
    assert.ok(addon, readdirSync(own).join(', '));
    const hash = /^better_sqlite3-([0-9a-f]{64})\.node$/.exec(addon)?.[1];
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(own, addon)))
        .digest('hex'),
      hash,
    );
  });

  it('what needs the XS engine says it needs the npm install', () => {
    const r = fazt(['start', '--data', 's', '--listen', '127.0.0.1:0', '--duration', '1s']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /the XS engine is unavailable \(needs the npm install \(the XS engine and the sources it runs are not in the single executable\)/);
    assert.match(r.stdout, /firmware running in Node/);
  });
});
