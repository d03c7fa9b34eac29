import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, type TestContext } from 'node:test';
import { createLan, holdSweeps, netnsUnavailable, sweepStale, type Lan, type LanHost } from '../helpers/netns.js';

const reason = netnsUnavailable();
const opts = { skip: reason, timeout: 30_000 };
const root = new URL('../..', import.meta.url).pathname;
const helperUrl = pathToFileURL(join(root, 'test/helpers/netns.ts')).href;
const GROUP = '239.255.255.250';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const ipOut = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
const netnsNames = () =>
  ipOut('netns', 'list')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
/**
 * Root-namespace links that are the harness's: named fzt*, or a veth whose peer is in one of the
 * LAN's namespaces (`ip -o link` prints `link-netns <name>` for those). Only these: other tests
 * running in parallel may add links of their own.
 */
const rootLinksOf = (lanId: string) =>
  ipOut('-o', 'link', 'show')
    .split('\n')
    .filter((l) => /^\d+:\s+fzt/.test(l) || l.includes(`link-netns ${lanId}-`));

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

async function newLan(t: TestContext, hosts: number, label: string): Promise<Lan> {
  const started = performance.now();
  const lan = await createLan({ hosts, label });
  t.diagnostic(`createLan(${hosts} hosts) took ${(performance.now() - started).toFixed(0)} ms`);
  t.after(() => lan.destroy());
  return lan;
}

/** Collects a child's stdout; resolves `ready` at the first line equal to READY. */
function watch(child: ChildProcess, what: string, timeoutMs = 5_000) {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => void (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => void (stderr += c));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not READY after ${timeoutMs} ms; stdout ${stdout} stderr ${stderr}`)), timeoutMs);
    const onData = () => {
      if (/^READY$/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${what}: exited (${code}) before READY; stdout ${stdout} stderr ${stderr}`));
    });
  });
  ready.catch(() => {});
  return { ready, exited };
}

/** Joins GROUP on the host's address, prints READY, then the first datagram as JSON (exit 0) or TIMEOUT (exit 2). */
const RECEIVER = `
const [addr, port, ms] = process.argv.slice(1);
const s = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true });
setTimeout(() => { console.log('TIMEOUT'); process.exit(2); }, Number(ms));
s.on('message', (m, r) => { console.log(JSON.stringify({ msg: m.toString(), from: r.address })); process.exit(0); });
s.bind(Number(port), () => { s.addMembership(${JSON.stringify(GROUP)}, addr); console.log('READY'); });
`;

/** Sends the message to GROUP:port three times, 50 ms apart, with no interface chosen: the route decides. */
const SENDER = `
const [msg, port] = process.argv.slice(1);
const s = require('node:dgram').createSocket('udp4');
let n = 0;
const send = () => s.send(msg, Number(port), ${JSON.stringify(GROUP)}, (e) => {
  if (e) { console.error(e.message); process.exit(1); }
  if (++n === 3) { console.log('SENT'); s.close(); } else setTimeout(send, 50);
});
send();
`;

function receiver(lan: Lan, host: LanHost, port: number, timeoutMs: number) {
  const child = lan.spawn(host, process.execPath, ['-e', RECEIVER, host.address, String(port), String(timeoutMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return watch(child, `receiver on ${host.name}`);
}

async function sendMulticast(lan: Lan, host: LanHost, port: number, msg: string) {
  const r = await lan.run(host, process.execPath, ['-e', SENDER, msg, String(port)], { timeoutMs: 5_000 });
  assert.equal(r.code, 0, `sender on ${host.name}: ${r.stderr}`);
}

const got = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { msg: string; from: string };

test('netnsUnavailable() says why or nothing', () => {
  assert.ok(reason === undefined || (typeof reason === 'string' && reason.length > 0));
  if (reason) console.log(`netns tests skipped: ${reason}`);
});

test('three hosts: a multicast datagram from h1 reaches h2 and h3', opts, async (t) => {
  const lan = await newLan(t, 3, 'mcast');
  const [h1, h2, h3] = lan.hosts;
  assert.deepEqual(
    lan.hosts.map((h) => h.address.split('.').at(-1)),
    ['11', '12', '13'],
  );
  const port = 41_900;
  const receivers = [receiver(lan, h2, port, 5_000), receiver(lan, h3, port, 5_000)];
  await Promise.all(receivers.map((r) => r.ready));
  await sendMulticast(lan, h1, port, 'M-SEARCH hello');
  for (const [i, r] of receivers.entries()) {
    const { code, stdout, stderr } = await r.exited;
    assert.equal(code, 0, `h${i + 2}: ${stdout} ${stderr}`);
    assert.deepEqual(got(stdout), { msg: 'M-SEARCH hello', from: h1.address });
  }
});

test('unicast UDP echo between two hosts', opts, async (t) => {
  const lan = await newLan(t, 2, 'echo');
  const [h1, h2] = lan.hosts;
  const server = lan.spawn(
    h2,
    process.execPath,
    [
      '-e',
      `const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => s.send('echo:' + m, r.port, r.address));
s.bind(7007, ${JSON.stringify(h2.address)}, () => console.log('READY'));`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await watch(server, 'echo server').ready;
  const client = `
const msg = require('node:fs').readFileSync(0, 'utf8');
const s = require('node:dgram').createSocket('udp4');
const t0 = process.hrtime.bigint();
s.on('message', (m, r) => { console.log(r.address + ' ' + m + ' ' + Number(process.hrtime.bigint() - t0) / 1e6); process.exit(0); });
let tries = 0;
const ping = () => { if (++tries > 10) { console.log('NO REPLY'); process.exit(2); } s.send(msg, 7007, ${JSON.stringify(h2.address)}); setTimeout(ping, 200); };
ping();`;
  const r = await lan.run(h1, process.execPath, ['-e', client], { input: 'ping', timeoutMs: 5_000 });
  assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
  const [from, reply, ms] = r.stdout.trim().split(' ');
  assert.equal(from, h2.address);
  assert.equal(reply, 'echo:ping');
  t.diagnostic(`echo round trip ${Number(ms).toFixed(2)} ms (first packet includes ARP)`);
  // the server is still running: destroy() (t.after) must kill it
  assert.equal(server.exitCode, null);
});

test('setLink(host, false) takes the host off the LAN; setLink(host, true) puts it back', opts, async (t) => {
  const lan = await newLan(t, 3, 'link');
  const [h1, h2, h3] = lan.hosts;
  let port = 42_000;
  /** h1 multicasts; which of h2, h3 get it? */
  const round = async (msg: string): Promise<boolean[]> => {
    port++;
    const receivers = [receiver(lan, h2, port, 1_500), receiver(lan, h3, port, 1_500)];
    await Promise.all(receivers.map((r) => r.ready));
    await sendMulticast(lan, h1, port, msg);
    return Promise.all(
      receivers.map(async (r) => {
        const { code, stdout } = await r.exited;
        assert.ok(code === 0 || (code === 2 && /TIMEOUT/.test(stdout)), stdout);
        return code === 0;
      }),
    );
  };
  assert.deepEqual(await round('before'), [true, true]);

  await lan.setLink(h3, false); // cable pulled at the switch
  assert.match(ipOut('-n', h3.ns, '-o', 'link', 'show', 'dev', h3.iface), /NO-CARRIER/);
  assert.deepEqual(await round('cable out'), [true, false]);
  await lan.setLink(h3, true);
  assert.deepEqual(await round('cable in'), [true, true]);

  await lan.setLink(h3, false, { at: 'host' }); // the host's own interface down
  assert.match(ipOut('-n', h3.ns, '-o', 'link', 'show', 'dev', h3.iface), /state DOWN/);
  assert.deepEqual(await round('iface down'), [true, false]);
  await lan.setLink(h3, true, { at: 'host' });
  assert.match(ipOut('-n', h3.ns, 'route', 'show'), /^default dev fzt-h3/m, 'default route restored');
  assert.match(ipOut('-n', h3.ns, 'route', 'show'), /^224\.0\.0\.0\/4 dev fzt-h3/m, 'multicast route restored');
  assert.deepEqual(await round('iface up'), [true, true]);
});

test('run() rejects on timeout and kills what it ran; ip failures name the command and its stderr', opts, async (t) => {
  const lan = await newLan(t, 2, 'errors');
  const [h1, h2] = lan.hosts;
  const started = Date.now();
  await assert.rejects(lan.run(h1, 'sh', ['-c', 'sleep 30 & sleep 30'], { timeoutMs: 300 }), /timed out after 300 ms .*sh -c sleep 30/);
  assert.ok(Date.now() - started < 5_000);
  // Killed: a process closes its files (the pipes run() waits on) a moment before it leaves its namespace.
  const inH1 = () => ipOut('netns', 'pids', h1.ns).trim();
  for (let i = 0; i < 100 && inH1() !== ''; i++) await sleep(20);
  assert.equal(inH1(), '', 'nothing left running in h1');

  const r = await lan.run(h1, 'no-such-command-fzt', []);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no-such-command-fzt/);

  ipOut('netns', 'del', h2.ns); // behind the harness's back
  await assert.rejects(lan.setLink(h2, false, { at: 'host' }), (e: Error) => {
    assert.match(e.message, new RegExp(`\`ip -n ${h2.ns} link set dev fzt-h2 down\` failed \\(exit \\d+\\): .*${h2.ns}`));
    return true;
  });
  await assert.rejects(createLan({ hosts: 2, subnet: '10.1.2.0/16' }), /subnet must be a\.b\.c\.0\/24/);
  await lan.destroy(); // still cleans up the rest
  assert.deepEqual(
    netnsNames().filter((n) => n.startsWith(lan.id + '-')),
    [],
  );
});

test('destroy() kills spawned process trees and leaves no namespace and no root-namespace link', opts, async (t) => {
  const lan = await newLan(t, 5, 'destroy');
  assert.equal(lan.hosts.length, 5);
  const mine = () => netnsNames().filter((n) => n.startsWith(lan.id + '-'));
  assert.deepEqual(mine().sort(), [lan.switchNs, ...lan.hosts.map((h) => h.ns)].sort());
  assert.deepEqual(rootLinksOf(lan.id), [], 'nothing of the LAN in the root namespace');

  // a process tree: sh with a background child; the child ignores SIGTERM, so SIGKILL is needed
  const tree = lan.spawn(lan.hosts[4], 'sh', ['-c', "trap '' TERM; sleep 60 & echo $!; wait"], { stdio: ['ignore', 'pipe', 'ignore'] });
  const grandchild = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no pid from sh')), 5_000);
    tree.stdout?.setEncoding('utf8').once('data', (c: string) => {
      clearTimeout(timer);
      resolve(Number(c.trim()));
    });
  });
  assert.ok(alive(tree.pid!) && alive(grandchild));

  const started = performance.now();
  await lan.destroy();
  t.diagnostic(`destroy() with a SIGTERM-ignoring process took ${(performance.now() - started).toFixed(0)} ms`);
  for (let i = 0; i < 100 && (alive(tree.pid!) || alive(grandchild)); i++) await sleep(20);
  assert.ok(!alive(tree.pid!), 'sh killed');
  assert.ok(!alive(grandchild), 'its child killed');
  assert.deepEqual(mine(), []);
  assert.deepEqual(rootLinksOf(lan.id), []);
  await lan.destroy(); // idempotent
  assert.throws(() => lan.spawn(lan.hosts[0], 'true', []), /destroyed/);
});

test('sweepStale() removes a namespace named with this pid that none of its LANs holds (pids are reused)', opts, async (t) => {
  const lan = await newLan(t, 1, 'mine');
  const leftover = `fzt${process.pid}-0-leftover`;
  ipOut('netns', 'add', leftover);
  t.after(() => {
    if (netnsNames().includes(leftover)) ipOut('netns', 'del', leftover);
  });
  const swept = await sweepStale();
  assert.ok(swept.includes(leftover), swept.join(' '));
  assert.ok(!netnsNames().includes(leftover));
  assert.deepEqual(
    netnsNames()
      .filter((n) => n.startsWith(`${lan.id}-`))
      .sort(),
    [lan.switchNs, lan.hosts[0].ns].sort(),
    'its live LAN kept',
  );
});

// ---- cleanup when the test process fails or dies -----------------------------------------

/** A child script that makes a LAN, starts a sleeper in h1, prints both, then does `then`. */
const failingScript = (then: string) => `
import { test } from 'node:test';
import { createLan } from ${JSON.stringify(helperUrl)};
const lan = await createLan({ hosts: 2, label: 'dying' });
const sleeper = lan.spawn(lan.hosts[0], 'sleep', ['60'], { stdio: 'ignore' });
// Said once it is sleep, so inside h1 (ip netns exec enters the namespace, then execs): said while still ip,
// a kill -9 of this script and a sweep could come before it entered, and it would enter a namespace no sweep lists.
const { readFileSync } = await import('node:fs');
const comm = () => { try { return readFileSync('/proc/' + sleeper.pid + '/comm', 'utf8').trim(); } catch { return ''; } };
for (let i = 0; i < 500 && comm() !== 'sleep'; i++) await new Promise((r) => setTimeout(r, 10));
if (comm() !== 'sleep') throw new Error('the sleeper never became sleep in h1');
console.log('LAN ' + lan.id + ' PID ' + sleeper.pid);
${then}
`;

async function runChild(t: TestContext, dir: string, name: string, source: string, kill?: NodeJS.Signals) {
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, source);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    if (kill && /LAN \S+ PID \d+/.test(out)) child.kill(kill);
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => void (err += c));
  const code = await new Promise<number | string | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('close', (c, s) => {
      clearTimeout(timer);
      resolve(c ?? s);
    });
  });
  const m = /LAN (\S+) PID (\d+)/.exec(out);
  assert.ok(m, `${name}: no LAN line (exit ${code}); stdout ${out} stderr ${err}`);
  t.diagnostic(`${name}: exit ${code}`);
  return { code, id: m[1], sleeper: Number(m[2]), out, err };
}

async function assertGone(id: string, sleeper: number) {
  for (let i = 0; i < 100 && alive(sleeper); i++) await sleep(20);
  assert.ok(!alive(sleeper), `sleeper ${sleeper} killed`);
  assert.deepEqual(
    netnsNames().filter((n) => n.startsWith(id + '-')),
    [],
    `no namespace of ${id} left`,
  );
  assert.deepEqual(rootLinksOf(id), []);
}

test('a failing or dying test process leaves no namespace and no process behind', opts, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-netns-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  await t.test('a node:test test that throws, with destroy() in t.after', async (t) => {
    const r = await runChild(
      t,
      dir,
      'throws-in-test',
      failingScript(`
test('uses the LAN and fails', async (t) => { t.after(() => lan.destroy()); throw new Error('boom'); });`),
    );
    assert.equal(r.code, 1);
    assert.match(r.out, /boom/);
    await assertGone(r.id, r.sleeper);
  });
  await t.test('an uncaught exception, no destroy() at all: the exit handler', async (t) => {
    const r = await runChild(t, dir, 'uncaught', failingScript(`throw new Error('boom');`));
    assert.equal(r.code, 1);
    await assertGone(r.id, r.sleeper);
  });
  await t.test('process.exit(3) with processes running: the exit handler', async (t) => {
    const r = await runChild(t, dir, 'exit', failingScript(`process.exit(3);`));
    assert.equal(r.code, 3);
    await assertGone(r.id, r.sleeper);
  });
  await t.test('SIGTERM: the signal handler, then death by SIGTERM', async (t) => {
    const r = await runChild(t, dir, 'sigterm', failingScript(`setTimeout(() => {}, 15_000);`), 'SIGTERM');
    assert.equal(r.code, 'SIGTERM');
    await assertGone(r.id, r.sleeper);
  });
  await t.test('kill -9: sweepStale() (run by every createLan) removes it and what runs inside', async (t) => {
    // Held, or another test file's createLan (npm test runs four at once) could sweep the dead child's LAN first.
    const release = await holdSweeps();
    let r: Awaited<ReturnType<typeof runChild>>;
    try {
      r = await runChild(t, dir, 'sigkill', failingScript(`setTimeout(() => {}, 15_000);`), 'SIGKILL');
      assert.equal(r.code, 'SIGKILL');
      assert.ok(
        netnsNames().some((n) => n.startsWith(r.id + '-')),
        'kill -9 leaves the namespaces',
      );
      assert.ok(alive(r.sleeper), 'and the detached sleeper');
      const swept = await sweepStale();
      assert.ok(swept.includes(`${r.id}-sw`) && swept.includes(`${r.id}-h1`), swept.join(' '));
    } finally {
      await release();
    }
    await assertGone(r.id, r.sleeper);
  });
});

/**
 * This file, bundled into one self-contained script in a world-readable temporary folder:
 * a child running as `nobody` cannot be assumed to read the checkout (a clone under a 0700
 * folder is enough to stop it loading tsx), so it gets its own copy of the code it runs.
 */
async function selfContained(): Promise<{ file: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-lan-skip-'));
  chmodSync(dir, 0o755);
  const file = join(dir, 'lan.test.mjs');
  // esbuild stays outside the bundle: the copy never builds itself (this test skips there).
  const { build } = await import('esbuild');
  await build({
    entryPoints: [new URL(import.meta.url).pathname],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['esbuild'],
    logLevel: 'silent',
  });
  chmodSync(file, 0o644);
  return { file, dir };
}

test('without root or without ip, every LAN test skips with the reason', opts, async (t) => {
  const { file, dir } = await selfContained();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const cases: { name: string; reason: RegExp; uid?: number; env: NodeJS.ProcessEnv }[] = [
    { name: 'as nobody', reason: /not root \(uid 65534\)/, uid: 65534, env: { ...env, HOME: dir } },
    { name: 'no ip on PATH', reason: /`ip` \(iproute2\) not found on PATH/, env: { ...env, PATH: '/nonexistent' } },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const child = spawn(process.execPath, ['--test-reporter=tap', file], { cwd: dir, env: c.env, uid: c.uid, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => void (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => void (out += d));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      assert.equal(code, 0, out);
      const skipped = out.split('\n').filter((l) => /^ok \d+ - .*# SKIP /.test(l));
      assert.equal(skipped.length, 8, out);
      for (const line of skipped) assert.match(line, c.reason);
      assert.match(out, /^# fail 0$/m);
      assert.deepEqual(
        netnsNames().filter((n) => n.startsWith(`fzt${child.pid}-`)),
        [],
        'the child created nothing',
      );
    });
  }
});
