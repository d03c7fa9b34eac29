import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Cartridge } from '../../host/store/cartridge.js';
import { runFazt } from '../helpers/child-process.js';

const repo = new URL('../..', import.meta.url).pathname;
const bin = join(repo, 'bin/fazt.js');
const tmp = mkdtempSync(join(tmpdir(), 'fazt-errors-'));

const fazt = (args: string[], cwd = tmp) => runFazt(args, { cwd });

/** One line on stderr, no errno text (no "EEXIST: EEXIST", no raw "open 'x'"). */
function plainLine(err: string): string {
  assert.equal(err.trim().split('\n').length, 1, `one line: ${err}`);
  assert.doesNotMatch(err, /\bE[A-Z]{3,}\b|errno|syscall/, `no errno text: ${err}`);
  return err.trim();
}

/** Whether this process may make a network namespace (root with unshare), for a host without multicast. */
function canUnshare(): boolean {
  return spawnSync('unshare', ['-n', 'true']).status === 0;
}

describe('errors people read are sentences, not errno text', () => {
  let server: Server | undefined;
  after(() => server?.close());

  it('keygen -o onto an existing file names the file and what to do', () => {
    const file = join(tmp, 'key.json');
    assert.equal(fazt(['keygen', '-o', file]).code, 0);
    const r = fazt(['keygen', '-o', file]);
    assert.equal(r.code, 1);
    assert.equal(plainLine(r.err), `fazt: ${file} already exists and is never overwritten: choose another name or move it away first`);
  });
  it('backup onto an existing file, or into a missing folder, says so in words', () => {
    const data = join(tmp, 'hub');
    mkdirSync(data);
    Cartridge.open(join(data, 'fazt.db')).close();
    writeFileSync(join(tmp, 'taken.db'), 'x');
    const onto = fazt(['backup', join(tmp, 'taken.db'), '--data', data]);
    assert.equal(onto.code, 1);
    assert.match(plainLine(onto.err), new RegExp(`${join(tmp, 'taken.db')} exists; a backup never overwrites a file: choose another name`));
    const missing = fazt(['backup', join(tmp, 'no-such-folder', 'b.db'), '--data', data]);
    assert.match(plainLine(missing.err), new RegExp(`cannot create .*b\\.db: the folder ${join(tmp, 'no-such-folder')} does not exist`));
  });
  it('--data given a file, or a folder that cannot be made, names the path', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a folder');
    for (const cmd of [['hub'], ['start'], ['invite'], ['backup', join(tmp, 'x.db')]]) {
      const r = fazt([...cmd, '--data', file]);
      assert.equal(r.code, 2, cmd[0]);
      assert.equal(plainLine(r.err), `fazt: --data ${file} is a file, not a folder: give the hub's folder (it holds fazt.db)`);
    }
    const under = fazt(['hub', '--data', join(file, 'sub')]);
    assert.equal(under.code, 1);
    assert.match(plainLine(under.err), new RegExp(`cannot create the folder ${join(file, 'sub')} for --data: .*part of it is a file, not a folder`));
    const none = fazt(['invite', '--data', join(tmp, 'nothing-here')]);
    assert.match(plainLine(none.err), new RegExp(`--data ${join(tmp, 'nothing-here')} does not exist`));
  });
  it('a port in use: which port on which address, and the flag that picks another', async () => {
    server = createServer();
    await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const child = spawn(process.execPath, [bin, 'hub', '--data', join(tmp, 'busy'), '--listen', `127.0.0.1:${port}`], { cwd: tmp });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 1);
    assert.equal(plainLine(err), `fazt: port ${port} on 127.0.0.1 is in use; choose another with --listen HOST:PORT`);
  });
  it('hub: a time zone that is not one, and a notify URL that is not http(s), are refused before anything starts', () => {
    const zone = fazt(['hub', '--data', join(tmp, 'zone'), '--listen', '127.0.0.1:0', '--time-zone', 'Mars/Olympus']);
    assert.equal(zone.code, 2, zone.err);
    assert.match(plainLine(zone.err), /--time-zone 'Mars\/Olympus' is not an IANA time zone/);
    const url = fazt(['hub', '--data', join(tmp, 'zone'), '--listen', '127.0.0.1:0', '--notify-url', 'ftp://example/x']);
    assert.equal(url.code, 2, url.err);
    assert.match(plainLine(url.err), /--notify-url must be an http:\/\/ or https:\/\/ URL/);
  });
  it('beacon scan without a multicast route says what to check', {
    skip: !canUnshare() && 'needs root and unshare (a network namespace without routes)',
  }, () => {
    // a fresh network namespace: only a loopback interface, no multicast route
    const r = spawnSync('unshare', ['-n', process.execPath, bin, 'beacon', 'scan', '--timeout', '500ms'], { encoding: 'utf8', timeout: 60_000, cwd: tmp });
    assert.equal(r.status, 1, r.stderr);
    assert.match(plainLine(r.stderr), /^fazt: no-multicast: no network interface can send or receive multicast.*224\.0\.0\.0\/4/);
    assert.doesNotMatch(r.stderr, /No sockets available/);
  });
});
