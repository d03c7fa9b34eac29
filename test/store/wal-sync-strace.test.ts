import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GroupCommit } from '../../host/hub/group-commit.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { TestNode, tempDir } from '../hub/helpers.js';

/**
 * Which thread fsyncs the WAL, seen by strace: the test runs itself as the
 * child (FAZT_WAL_SYNC_CHILD names its cartridge), which stores groups of
 * uplinks through GroupCommit between two marker files it fsyncs.
 */
const child = process.env.FAZT_WAL_SYNC_CHILD;
const strace = ['/usr/bin/strace', '/bin/strace'].find((f) => existsSync(f));

/** fsyncs an empty file named `name`: a line in the trace that says where the child is. */
function marker(dir: string, name: string): void {
  const fd = openSync(join(dir, name), 'w');
  fsyncSync(fd);
  closeSync(fd);
}

async function runChild(file: string): Promise<void> {
  const c = Cartridge.open(file);
  const nodes = [61, 62, 63, 64].map((s) => new TestNode(s));
  for (const n of nodes) c.addNode(n.identity.publicKey);
  const gc = new GroupCommit(c);
  // The WAL's first frames (its header, synced in the commit itself) and its directory entry, before the markers.
  const first = nodes[0];
  first.append(4);
  await gc.submit(first.batch(1, 4));
  marker(join(file, '..'), 'marker-begin');
  for (let round = 0; round < 5; round++) {
    await Promise.all(
      nodes.map((n) => {
        const from = n.entries.length + 1;
        n.append(8);
        return gc.submit(n.batch(from, n.entries.length));
      }),
    );
  }
  marker(join(file, '..'), 'marker-end');
  process.stdout.write(`${JSON.stringify({ pid: process.pid, commits: gc.stats.commits, events: c.counts().events })}\n`);
  c.close();
}

if (child) {
  await runChild(child);
} else {
  const tmp = tempDir('fazt-wal-strace-');
  after(() => tmp.cleanup());

  describe('the group commit under strace', { skip: !strace && 'strace is not installed here (apt install strace)' }, () => {
    it("fdatasyncs the cartridge's WAL on another thread; the commits on the main thread sync nothing", async () => {
      const file = join(tmp.dir, 'fazt.db');
      const log = join(tmp.dir, 'strace.log');
      const args = ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', log, process.execPath, '--import', 'tsx', new URL(import.meta.url).pathname];
      const proc = spawn(strace as string, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FAZT_WAL_SYNC_CHILD: file } });
      let out = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((r) => proc.on('exit', r));
      assert.equal(code, 0, out);
      const report = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { pid: number; commits: number; events: number };
      assert.equal(report.events, 4 + 4 * 5 * 8, 'every batch stored');
      const lines = readFileSync(log, 'utf8').split('\n');
      const begin = lines.findIndex((l) => l.includes('marker-begin>'));
      const end = lines.findIndex((l) => l.includes('marker-end>'));
      assert.ok(begin >= 0 && end > begin, `the markers are in the trace:\n${lines.slice(0, 40).join('\n')}`);
      const walSyncs = lines
        .slice(begin + 1, end)
        .map((l) => /^(\d+)\s+(fsync|fdatasync)\(\d+<([^>]*)>/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null && m[3] === `${file}-wal`)
        .map((m) => ({ thread: Number(m[1]), call: m[2] }));
      const onMain = walSyncs.filter((s) => s.thread === report.pid);
      const off = walSyncs.filter((s) => s.thread !== report.pid);
      assert.deepEqual(onMain, [], 'no sync of the WAL on the main thread while the groups were stored');
      assert.ok(off.length >= 1, `the WAL was synced off the main thread: ${JSON.stringify(walSyncs)}`);
      assert.ok(
        off.every((s) => s.call === 'fdatasync'),
        JSON.stringify(off),
      );
      assert.ok(off.length <= report.commits, `at most one sync a group: ${off.length} syncs, ${report.commits} commits`);
    });
  });
}
