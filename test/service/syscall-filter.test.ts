import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { systemdUnit } from '../../host/service/systemd-unit.js';
import { until } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
const analyze = '/usr/bin/systemd-analyze';
const strace = ['/usr/bin/strace', '/bin/strace'].find((f) => existsSync(f));
const skip = (!existsSync(analyze) && "systemd-analyze is not installed here (Debian's systemd package)") || (!strace && 'strace is not installed here');

/** The system calls a SystemCallFilter= set allows, its @groups expanded (systemd-analyze syscall-filter). */
function allowedCalls(set: string, seen = new Set<string>()): Set<string> {
  const r = spawnSync(analyze, ['syscall-filter', '--no-pager', set], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = new Set<string>();
  for (const line of r.stdout.split('\n').slice(1)) {
    const word = line.trim().split(/\s/)[0];
    if (!word || word.startsWith('#')) continue;
    if (!word.startsWith('@')) out.add(word);
    else if (!seen.has(word)) {
      seen.add(word);
      for (const c of allowedCalls(word, seen)) out.add(c);
    }
  }
  return out;
}

/**
 * V8 asks for a memory-protection key once and runs without one when refused
 * (EINVAL on hardware without them, as here; EPERM under the filter, which
 * SystemCallErrorNumber= returns instead of killing the process).
 */
const PROBED_AND_OPTIONAL = new Set(['pkey_alloc']);

describe("the unit's system-call filter and the hub's real system calls", { skip }, () => {
  it('every system call a running hub makes (start, API, Pulse, stop) is in the filter the unit sets', async () => {
    const filter = /^SystemCallFilter=(.*)$/m.exec(
      systemdUnit({
        program: ['/usr/bin/node'],
        dataDir: '/var/lib/fazt',
        listen: '0.0.0.0:7070',
        port: 7070,
        beacon: false,
        user: 'fazt',
        supplementaryGroups: [],
      }),
    )?.[1];
    assert.equal(filter, '@system-service');
    const allowed = allowedCalls(filter);
    assert.ok(allowed.has('read') && allowed.has('epoll_wait') && !allowed.has('reboot'), 'the filter expands to real calls');

    const dir = mkdtempSync(join(tmpdir(), 'fazt-syscalls-'));
    const log = join(dir, 'strace.log');
    const args = [
      '-f',
      '-qq',
      '-o',
      log,
      process.execPath,
      join(root, 'dist/fazt.js'),
      'hub',
      '--data',
      join(dir, 'data'),
      '--listen',
      '127.0.0.1:0',
      '--pulse-every',
      '1s',
    ];
    const child = spawn(strace as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await until(
        () => /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1],
        'the hub under strace',
        60_000,
        () => out,
      );
      const auth = { authorization: `Bearer ${readFileSync(join(dir, 'data', 'owner.token'), 'utf8').trim()}` };
      assert.equal((await fetch(`${url}/v1/health`)).status, 200);
      assert.equal((await fetch(`${url}/v1/nodes`, { headers: auth })).status, 200);
      assert.equal((await fetch(`${url}/metrics`, { headers: auth })).status, 200);
      // Pulse beats every second: wait for two beats on the hub's chain.
      const beats = async () => ((await (await fetch(`${url}/v1/pulse/history?ago=600000`, { headers: auth })).json()) as { beats: unknown[] }).beats.length;
      for (let i = 0; i < 300 && (await beats()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok((await beats()) >= 2, 'two Pulse beats');
    } finally {
      // strace keeps SIGTERM for itself: the hub (its child) is told, and strace ends with it.
      const hub = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
      if (hub > 0) process.kill(hub, 'SIGTERM');
      else child.kill('SIGKILL');
    }
    assert.equal(await exited, 0, out);
    assert.match(out, /hub stopped; cartridge closed/);
    const used = new Set([...readFileSync(log, 'utf8').matchAll(/^\d+ +([a-z0-9_]+)\(/gm)].map((m) => m[1]));
    assert.ok(used.size > 30, `strace saw ${used.size} calls`);
    const outside = [...used].filter((c) => !allowed.has(c) && !PROBED_AND_OPTIONAL.has(c));
    assert.deepEqual(outside, [], `calls outside ${filter}: ${outside.join(', ')}`);
  });
});
