import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BEACON_HEADER, BEACON_SIG_HEADER, signBeacon, verifyBeacon } from '../../firmware/beacon/beacon-record.js';
import { fromBase64url } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { dispatch, UsageError, type Command } from '../../host/cli/command.js';
import { beaconCommand } from '../../host/cli/commands/beacon.js';
import { hubCommand, lanOptions, parseSkew } from '../../host/cli/commands/hub.js';
import { timeCommand } from '../../host/cli/commands/time.js';
import type { PeerReading, TimeStatus } from '../../host/time/timekeeper.js';
import { authFrom, crypto, startHub, tempDir } from '../hub/helpers.js';
import { closedPort } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
/** The built CLI (npm test builds dist/ first): a start through tsx costs three times the CPU. */
const faztJs = join(root, 'dist/fazt.js');

/** A command in process, as main() dispatches it. */
async function run(cmd: Command, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await dispatch(cmd, argv, ['fazt', cmd.name], {
    stdin: async () => Buffer.alloc(0),
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

/** The real CLI in a child process, asynchronously so an in-process hub can answer it. */
function fazt(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [faztJs, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    });
  });
}

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;
const tmp = tempDir('fazt-timecli-');

before(async () => {
  h = await startHub({ time: { mode: 'system' }, log: () => {} });
  process.env.FAZT_TOKEN = h.hub.ownerToken; // the CLI, in process and in children, calls this hub as its owner
});
after(async () => {
  delete process.env.FAZT_TOKEN;
  await h?.stop();
  tmp.cleanup();
});

describe('fazt time', () => {
  it("status --json: the hub's TimeStatus", async () => {
    const r = await run(timeCommand, ['status', '--hub', h.url, '--json']);
    assert.equal(r.code, 0);
    const s = JSON.parse(r.out) as TimeStatus;
    for (const k of ['mode', 'now', 'source', 'local', 'consensus', 'offsetMs', 'driftPpm', 'confidence', 'sources', 'spreadMs', 'targetMs', 'lastSync', 'ntp'])
      assert.ok(k in s, k);
    assert.equal(s.mode, 'system');
    assert.equal(s.source, 'system');
    assert.ok(Math.abs(s.now - Date.now()) < 5000, 'Math.abs(s.now - Date.now()) < 5000');
  });
  it('status --json through the real CLI, with a trailing slash on --hub', async () => {
    const r = await fazt(['time', 'status', '--hub', h.url + '/', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const s = JSON.parse(r.out) as TimeStatus;
    assert.equal(s.mode, 'system');
    assert.equal(typeof s.ntp.how, 'string');
  });
  it('status as text: the clock, its source and mode, NTP', async () => {
    const r = await run(timeCommand, ['status', '--hub', h.url]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^clock {7}\d{4}-\d\d-\d\dT[\d:.]+Z \(source: system, mode system\)$/m);
    assert.match(r.out, /^consensus {3}- {2}offset -, drift 0\.0 ppm$/m);
    assert.match(r.out, /^confidence {2}0\.00 from 0 source\(s\), spread -, target -$/m);
    assert.match(r.out, /^ntp {9}not synced \(/m);
  });
  it('sync polls now and prints the readings and the status; peers lists the last round', async () => {
    const j = await run(timeCommand, ['sync', '--hub', h.url, '--json']);
    assert.equal(j.code, 0);
    const body = JSON.parse(j.out) as { status: TimeStatus; readings: PeerReading[] };
    assert.deepStrictEqual(body.readings, []);
    assert.equal(body.status.mode, 'system');
    const t = await run(timeCommand, ['sync', '--hub', h.url]);
    assert.match(t.out, /^no peers polled yet/);
    assert.match(t.out, /\n\nclock /);
    const p = await run(timeCommand, ['peers', '--hub', h.url]);
    assert.equal(p.code, 0);
    assert.match(p.out, /^no peers polled yet \(the hub polls verified beacon peers offering "time"\)\n$/);
    assert.deepStrictEqual(JSON.parse((await run(timeCommand, ['peers', '--hub', h.url, '--json'])).out), { readings: [] });
  });
  it('an unreachable --hub: one clear line and exit 1 (and a usage error for a --hub that is not a URL)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await assert.rejects(run(timeCommand, ['status', '--hub', url]), /cannot reach the hub at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    const r = await fazt(['time', 'status', '--hub', url]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(r.err.split('\n').filter(Boolean).length, 1, r.err);
    assert.match(r.err, /^fazt: cannot reach the hub at http:\/\/127\.0\.0\.1:\d+ .*--hub URL/);
    const b = await fazt(['beacon', 'status', '--hub', url]);
    assert.equal(b.code, 1);
    assert.equal(b.err.split('\n').filter(Boolean).length, 1, b.err);
    await assert.rejects(run(timeCommand, ['status', '--hub', 'ftp://x']), UsageError);
    await assert.rejects(run(timeCommand, ['bogus']), UsageError);
  });
});

describe('fazt beacon status', () => {
  it('says the beacon is off, with no cached peers', async () => {
    const r = await run(beaconCommand, ['status', '--hub', h.url]);
    assert.equal(r.code, 0);
    assert.equal(r.out, `beacon off on ${h.url} (start the hub with --beacon)\ncached peers:\n(none)\n`);
    assert.deepStrictEqual(JSON.parse((await run(beaconCommand, ['status', '--hub', h.url, '--json'])).out), { enabled: false, cached: [] });
  });
  it('lists the peers cached in the cartridge', async () => {
    const peer = identityFromSecretKey(new Uint8Array(32).fill(131), crypto);
    const lastSeen = Date.now() - 3000;
    const { headers } = signBeacon(
      { kind: 'hub', name: 'attic', board: 'rpi-4b', version: '0.1.0', services: ['uplink', 'time'], addresses: ['10.0.0.5'], port: 7070, issued: 1 },
      peer,
      crypto,
    );
    h.hub.cartridge.peers.save(
      verifyBeacon(headers, '10.0.0.5', crypto),
      { record: fromBase64url(headers[BEACON_HEADER]), signature: fromBase64url(headers[BEACON_SIG_HEADER]) },
      '10.0.0.5',
      Date.now() - 5000,
      lastSeen,
    );
    try {
      const r = await fazt(['beacon', 'status', '--hub', h.url]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^beacon off on /);
      const row = new RegExp(`^${peer.id}\\s+hub\\s+attic\\s+10\\.0\\.0\\.5:7070\\s+rpi-4b\\s+uplink,time\\s+(\\d+)s ago$`, 'm').exec(r.out);
      assert.ok(row, r.out);
      // The age is counted when the CLI runs: at least the 3 s it was given, at most what has passed since (a loaded machine starts the CLI slowly).
      const age = Number(row[1]);
      assert.ok(age >= 3 && age <= Math.ceil((Date.now() - lastSeen) / 1000), `${age}s ago`);
    } finally {
      h.hub.cartridge.peers.remove(peer.id);
    }
  });
});

describe('fazt hub: beacon and time flags', () => {
  it('--beacon with a loopback --listen is a usage error naming --listen (checked before anything is started)', async () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) {
      assert.throws(
        () => lanOptions({ beacon: true }, host),
        (e: unknown) => e instanceof UsageError && /--listen/.test(e.message),
        host,
      );
    }
    assert.equal(lanOptions({ beacon: true }, '0.0.0.0').beacon?.name, undefined, 'a LAN address is fine (nothing is started here)');
    assert.equal(lanOptions({}, '127.0.0.1').beacon, undefined, 'off by default');
    const data = join(tmp.dir, 'never');
    await assert.rejects(
      run(hubCommand, ['--beacon', '--listen', '127.0.0.1:0', '--data', data]),
      (e: unknown) => e instanceof UsageError && /--listen/.test(e.message),
    );
    const r = await fazt(['hub', '--beacon', '--listen', '127.0.0.1:0', '--data', data], 30_000);
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(r.err.split('\n').filter(Boolean).length, 1);
    assert.match(r.err, /--listen/);
    assert.equal(existsSync(data), false, 'no data dir made, no hub started');
  });
  it('--time must be auto, peers or system', async () => {
    assert.throws(
      () => lanOptions({ time: 'bogus' }, '127.0.0.1'),
      (e: unknown) => e instanceof UsageError && /--time 'bogus'/.test(e.message),
    );
    for (const mode of ['auto', 'peers', 'system']) assert.equal(lanOptions({ time: mode }, '127.0.0.1').time?.mode, mode);
    assert.equal(lanOptions({}, '127.0.0.1').time?.mode, 'auto');
    assert.equal(lanOptions({ 'time-poll': '5s' }, '127.0.0.1').time?.pollMs, 5000);
    assert.throws(() => lanOptions({ 'time-poll': 'often' }, '127.0.0.1'), UsageError);
    const data = join(tmp.dir, 'never2');
    const r = await fazt(['hub', '--time', 'bogus', '--listen', '127.0.0.1:0', '--data', data], 30_000);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^fazt: --time 'bogus' is not auto, peers or system\n$/);
  });
  it('--time-poll under 100 ms is a usage error, not a crash at start', async () => {
    assert.throws(
      () => lanOptions({ 'time-poll': '50ms' }, '127.0.0.1'),
      (e: unknown) => e instanceof UsageError && /--time-poll/.test(e.message),
    );
    const r = await fazt(['hub', '--time-poll', '50ms', '--listen', '127.0.0.1:0', '--data', join(tmp.dir, 'never3')], 30_000);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /--time-poll/);
  });
  it('parseSkew: signed durations; anything else is a usage error', () => {
    assert.equal(parseSkew('+2h'), 7_200_000);
    assert.equal(parseSkew('2h'), 7_200_000);
    assert.equal(parseSkew('-10m'), -600_000);
    assert.equal(parseSkew(' 90s '), 90_000);
    assert.equal(parseSkew('-0s'), -0);
    for (const bad of ['', ' ', '-', '+', 'soon', '--10m', '10 minutes', '+-1h']) assert.throws(() => parseSkew(bad), UsageError, JSON.stringify(bad));
    const o = lanOptions({ 'clock-skew': '-10m' }, '127.0.0.1');
    assert.ok(o.clock && Math.abs(o.clock() - (Date.now() - 600_000)) < 1000, 'o.clock && Math.abs(o.clock() - (Date.now() - 600_000)) < 1000');
    assert.equal(lanOptions({}, '127.0.0.1').clock, undefined);
  });
  it('--clock-skew=-10m runs a hub whose system clock is ten minutes slow; SIGTERM stops it cleanly', async () => {
    const data = join(tmp.dir, 'skewed');
    const child = spawn(process.execPath, [faztJs, 'hub', '--clock-skew=-10m', '--time', 'system', '--listen', '127.0.0.1:0', '--data', data], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/time system: system clock\n/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      assert.ok(url, `no address in ${JSON.stringify(out)} ${err}`);
      assert.match(out, /^time system: system clock$/m);
      const s = (await (await fetch(`${url}/v1/time/status`, { headers: authFrom(data), signal: AbortSignal.timeout(10_000) })).json()) as TimeStatus;
      assert.equal(s.mode, 'system');
      assert.ok(Math.abs(s.local - (Date.now() - 600_000)) < 5000, `local is ${s.local - Date.now()} ms from Date.now()`);
      assert.equal(s.now, s.local);
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 15_000))]);
      assert.equal(code, 0, err);
      assert.match(out, /hub stopped; cartridge closed\n$/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
