import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** Runs the built CLI as a user would; every test writes its unit to a temporary folder, never /etc, and runs no systemctl. */
const root = new URL('../..', import.meta.url).pathname;
function fazt(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/fazt.js'), ...args], { encoding: 'utf8', timeout: 60_000, cwd: root });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const unitDir = () => mkdtempSync(join(tmpdir(), 'fazt-unit-'));
const analyze = '/usr/bin/systemd-analyze';
const noAnalyze = !existsSync(analyze) && "systemd-analyze is not installed here (Debian's systemd package)";

describe('fazt service install and uninstall', () => {
  it('install writes fazt.service running this Node and dist/fazt.js, and prints the commands to run next', () => {
    const dir = unitDir();
    const r = fazt(['service', 'install', '--unit-dir', dir, '--data', '/var/lib/fazt-test', '--listen', '0.0.0.0:7171', '--beacon']);
    assert.equal(r.code, 0, r.err);
    const unit = readFileSync(join(dir, 'fazt.service'), 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1].split(' ') ?? [];
    assert.equal(exec[0], process.execPath);
    assert.equal(exec[1], join(root, 'dist/fazt.js'));
    assert.deepEqual(exec.slice(2), ['hub', '--data', '/var/lib/fazt-test', '--listen', '0.0.0.0:7171', '--beacon']);
    assert.match(unit, /^StateDirectory=fazt-test$/m);
    assert.match(
      r.out,
      new RegExp(`^written ${join(dir, 'fazt.service')}: fazt hub as user fazt, cartridge /var/lib/fazt-test, listening on 0.0.0.0:7171$`, 'm'),
    );
    assert.match(r.out, /^ {2}systemctl daemon-reload\n {2}systemctl enable --now fazt\.service$/m);
    assert.match(r.out, /supplementary groups|no supplementary groups/);
    assert.match(r.out, /sudo -u fazt .* token list --data \/var\/lib\/fazt-test/);
  });

  it('install again replaces its own unit; it never overwrites a unit it did not write', () => {
    const dir = unitDir();
    assert.equal(fazt(['service', 'install', '--unit-dir', dir]).code, 0);
    const again = fazt(['service', 'install', '--unit-dir', dir, '--listen', '0.0.0.0:7272']);
    assert.match(again.out, /^replaced /);
    assert.match(readFileSync(join(dir, 'fazt.service'), 'utf8'), /--listen 0\.0\.0\.0:7272/);
    const other = unitDir();
    writeFileSync(join(other, 'fazt.service'), '[Service]\nExecStart=/bin/true\n');
    const r = fazt(['service', 'install', '--unit-dir', other]);
    assert.equal(r.code, 1);
    assert.match(r.err, /fazt\.service exists and was not written by fazt service install: move it away first/);
    assert.equal(readFileSync(join(other, 'fazt.service'), 'utf8'), '[Service]\nExecStart=/bin/true\n');
  });

  it('--dry-run prints the unit and writes nothing', () => {
    const dir = unitDir();
    const r = fazt(['service', 'install', '--unit-dir', dir, '--dry-run']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^# Written by `fazt service install`\./);
    assert.match(r.out, /^ExecStart=.* hub --data \/var\/lib\/fazt --listen 0\.0\.0\.0:7070$/m);
    assert.match(r.out, /# would write .*fazt\.service; then, as root:/);
    assert.equal(existsSync(join(dir, 'fazt.service')), false);
    const b = fazt(['service', 'install', '--unit-dir', dir, '--dry-run', '--backup-every', '24h', '--backup-dir', '/mnt/usb/fazt']);
    assert.equal(b.code, 0, b.err);
    assert.match(
      b.out,
      /^ExecStart=.* hub --data \/var\/lib\/fazt --listen 0\.0\.0\.0:7070 --backup-every 24h --backup-keep 7 --backup-dir \/mnt\/usb\/fazt$/m,
    );
  });

  it('refuses bad options before writing anything: a relative --data, a bad --listen, --now with another --unit-dir', () => {
    const dir = unitDir();
    for (const [args, message] of [
      [['--data', 'fazt-data'], /--data 'fazt-data' must be an absolute folder/],
      [['--data', '/srv/my data'], /--data must be a plain absolute folder/],
      [['--listen', '7070'], /--listen '7070' is not HOST:PORT/],
      [['--user', 'Fazt'], /--user 'Fazt' is not a system user name/],
      [['--backup-every', 'daily'], /--backup-every/],
      [['--backup-keep', '3'], /--backup-keep needs --backup-every/],
      [['--backup-every', '24h', '--backup-dir', 'backups'], /--backup-dir 'backups' must be an absolute folder/],
      [['--now'], /--now enables the unit systemd reads from \/etc\/systemd\/system; with --unit-dir .* run the commands yourself/],
    ] as const) {
      const r = fazt(['service', 'install', '--unit-dir', dir, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message);
    }
    assert.equal(existsSync(join(dir, 'fazt.service')), false);
    assert.equal(fazt(['service', 'uninstall', '--unit-dir', dir, '--now']).code, 2);
  });

  it('uninstall refuses while the unit is enabled, removes its own unit, leaves a foreign one, and says when there is none', () => {
    const dir = unitDir();
    assert.equal(fazt(['service', 'install', '--unit-dir', dir]).code, 0);
    mkdirSync(join(dir, 'multi-user.target.wants'));
    symlinkSync(join(dir, 'fazt.service'), join(dir, 'multi-user.target.wants', 'fazt.service'));
    const enabled = fazt(['service', 'uninstall', '--unit-dir', dir]);
    assert.equal(enabled.code, 1);
    assert.match(enabled.err, /fazt\.service is still enabled \(.*multi-user\.target\.wants\/fazt\.service\): run systemctl disable --now fazt first/);
    assert.equal(existsSync(join(dir, 'fazt.service')), true);

    const plain = unitDir();
    assert.equal(fazt(['service', 'install', '--unit-dir', plain]).code, 0);
    const r = fazt(['service', 'uninstall', '--unit-dir', plain]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^removed .*fazt\.service \(the cartridge and the user stay\)\nnext, as root:\n {2}systemctl daemon-reload\n$/);
    assert.equal(existsSync(join(plain, 'fazt.service')), false);
    assert.match(fazt(['service', 'uninstall', '--unit-dir', plain]).out, /^no fazt\.service in .*: nothing to remove/);

    writeFileSync(join(plain, 'fazt.service'), '[Service]\nExecStart=/bin/true\n');
    const foreign = fazt(['service', 'uninstall', '--unit-dir', plain]);
    assert.equal(foreign.code, 1);
    assert.match(foreign.err, /was not written by fazt service install: left as it is/);
  });
});

describe('the installed unit under systemd-analyze (offline: no running systemd needed)', { skip: noAnalyze }, () => {
  it('passes systemd-analyze verify, which checks ExecStart names a real executable', () => {
    const dir = unitDir();
    assert.equal(fazt(['service', 'install', '--unit-dir', dir, '--beacon']).code, 0);
    const ok = spawnSync(analyze, ['verify', '--man=no', join(dir, 'fazt.service')], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr.trim(), '');
    // The check has teeth: the same unit with a program that is not there fails.
    const bad = unitDir();
    writeFileSync(
      join(bad, 'fazt.service'),
      readFileSync(join(dir, 'fazt.service'), 'utf8').replace(/^ExecStart=\S+/m, `ExecStart=${join(bad, 'no-such-node')}`),
    );
    const refused = spawnSync(analyze, ['verify', '--man=no', join(bad, 'fazt.service')], { encoding: 'utf8' });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /no-such-node is not executable/);
  });

  it('systemd-analyze security --offline=true rates its exposure below 3.0 ("OK"; unhardened is 9.6 "UNSAFE")', (t) => {
    const dir = unitDir();
    assert.equal(fazt(['service', 'install', '--unit-dir', dir, '--beacon']).code, 0);
    const exposure = (file: string) => {
      const r = spawnSync(analyze, ['security', '--offline=true', file], { encoding: 'utf8' });
      const m = /Overall exposure level for fazt\.service: (\d+\.\d+) (\w+)/.exec(r.stdout);
      assert.ok(m, r.stdout + r.stderr);
      return { score: Number(m[1]), text: m[1], band: m[2] };
    };
    const hardened = exposure(join(dir, 'fazt.service'));
    const plainDir = unitDir();
    writeFileSync(join(plainDir, 'fazt.service'), `[Service]\nExecStart=${process.execPath} ${join(root, 'dist/fazt.js')} hub\n`);
    const plain = exposure(join(plainDir, 'fazt.service'));
    t.diagnostic(`exposure: ${hardened.text} ${hardened.band} (the same program unhardened: ${plain.text} ${plain.band})`);
    assert.ok(hardened.score < 3.0, `exposure ${hardened.score}`);
    assert.equal(hardened.band, 'OK');
    assert.ok(plain.score > 9, `unhardened exposure ${plain.score}`);
  });
});
