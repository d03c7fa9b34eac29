import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ValueMap } from '../../firmware/codec/value.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { FAZT, ROOT, requireBuild } from '../helpers/child-process.js';
import { privateTmpfs, tmpfsUnavailable } from '../helpers/tmpfs.js';
import { until } from '../helpers/wait.js';
import { asOwner, cbor, crypto, get, post, tempDir, TestNode } from './helpers.js';
import { SseClient } from './sse-client.js';

/**
 * A full disk for real: `fazt hub` (the built CLI) in its own process with its data on a tmpfs of a few MB
 * in a private mount namespace. A file fills the tmpfs to the last byte (ENOSPC, for the
 * cartridge and its WAL alike), then is deleted. Meanwhile three nodes retransmit from their
 * last acknowledgement, as the firmware's uplink does.
 */
const reason = tmpfsUnavailable();

function startHub(spawnInside: () => ChildProcess): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  const proc = spawnInside();
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => void (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => void (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${out}`)), 20_000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      resolve({ proc, url: m[1], output: () => out });
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code}) before listening: ${out}`));
    });
  });
}

/** Writes zeros to `path` until the filesystem is full; returns the bytes written. */
function fill(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return written;
}

describe('a full disk (tmpfs in a mount namespace)', { skip: reason }, () => {
  it('the hub answers 507 and keeps serving reads; nothing acknowledged is lost; it stores again by itself once space returns; every chain verifies', {
    timeout: 120_000,
  }, async (t) => {
    requireBuild();
    const fs = await privateTmpfs(6 * 1024 * 1024);
    const local = tempDir('fazt-full-disk-');
    const data = join(fs.dir, 'data');
    const dataOutside = join(fs.outside, 'data');
    const nodes = [81, 82, 83].map((s) => new TestNode(s));
    let hub: Awaited<ReturnType<typeof startHub>> | undefined;
    let stream: SseClient | undefined;
    try {
      // SQLite resolves /proc/<pid>/root to this namespace's root, so the test opens cartridges only here,
      // copied in and out while no one has them open.
      const setup = Cartridge.open(join(local.dir, 'fazt.db'));
      for (const n of nodes) setup.addNode(n.identity.publicKey);
      setup.close();
      mkdirSync(dataOutside);
      copyFileSync(join(local.dir, 'fazt.db'), join(dataOutside, 'fazt.db'));
      hub = await startHub(() =>
        fs.spawn(process.execPath, [FAZT, 'hub', '--data', data, '--listen', '127.0.0.1:0', '--pulse-every', '1s'], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      const url = asOwner(dataOutside, { url: hub.url }).url;
      stream = await SseClient.open(`${url}/v1/stream?node=${nodes[0].id}`);

      const acked = new Map(nodes.map((n) => [n.id, 0]));
      const statuses: number[] = [];
      const refusals: { code: string; message: string }[] = [];
      /** One round: every node sends what it holds past its ack (at most 64 entries, 32 of them new), all at once. */
      const round = () =>
        Promise.all(
          nodes.map(async (n) => {
            const ack = acked.get(n.id) ?? 0;
            if (n.entries.length - ack < 32) n.append(32);
            const last = Math.min(n.entries.length, ack + 64);
            const res = await fetch(`${url}/v1/uplink`, {
              method: 'POST',
              body: cbor(n.batch(ack + 1, last)),
              headers: { 'content-type': 'application/cbor' },
              signal: AbortSignal.timeout(10_000),
            });
            const body = (await res.json()) as { ack?: number; error?: { code: string; message: string } };
            statuses.push(res.status);
            if (res.status === 200) {
              assert.equal(body.ack, last);
              acked.set(n.id, last);
            } else if (body.error) refusals.push(body.error);
          }),
        );

      for (let k = 0; k < 5; k++) await round();
      assert.deepEqual([...new Set(statuses)], [200]);

      // A read-only token first used while the disk is full (its first use is recorded: a write that cannot be made).
      const made = await post(`${url}/v1/tokens`, JSON.stringify({ name: 'dashboard', scope: 'read' }), 'application/json');
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const reader = { authorization: `Bearer ${String(made.body.token)}` };

      const filler = join(fs.outside, 'filler');
      const filled = fill(filler);
      statuses.length = 0;
      const acksAtFull = new Map(acked);
      // Until every node has been refused at least twice in a row (the WAL may still have room for a few).
      const refusing = () => statuses.length >= 6 && statuses.slice(-6).every((s) => s === 507);
      for (let k = 0; k < 400 && !refusing(); k++) await round();
      assert.ok(refusing(), `the hub refuses once the disk is full (${filled} bytes of filler): ${statuses.slice(-20).join(' ')} ${hub.output().slice(-2000)}`);
      assert.deepEqual(
        statuses.filter((s) => s !== 200 && s !== 507),
        [],
        'nothing but stored or store-full',
      );
      assert.equal(refusals[0].code, 'store-full');
      assert.match(refusals[0].message, /storage is full: nothing of this request was stored\. Free disk space on the hub/);
      assert.doesNotMatch(refusals[0].message, new RegExp(fs.dir));

      const afterFill = [...acked].map(([id, a]) => a - (acksAtFull.get(id) ?? 0));
      const refused = statuses.filter((s) => s === 507).length;
      // The log says it as a full store, not as a bug; Pulse's beat (every second here) fails to store and the hub goes on.
      const output = hub.output;
      await until(() => /error pulse-beat.*full/.test(output()), "a beat that could not be stored, in the hub's log", 10_000, output);
      assert.match(output(), /error store-full .*Free disk space on the hub/);
      assert.doesNotMatch(output(), /error internal/);
      // Reads go on while it is full, and the process is still there.
      const events = await get(`${url}/v1/events?node=${nodes[1].id}&limit=1000`);
      assert.equal(events.status, 200);
      assert.equal((events.body.events as unknown[]).length, Math.min(1000, acked.get(nodes[1].id) ?? 0));
      assert.equal((await get(`${url}/v1/nodes`)).status, 200);
      const first = await fetch(`${url}/v1/nodes`, { headers: reader, signal: AbortSignal.timeout(10_000) });
      assert.equal(first.status, 200, `a token's first use on a full disk: ${await first.text()}`);
      const dashboard = ['/v1/pulse/history', '/v1/rules', '/v1/effects/pending', '/v1/time/status', `/v1/series?node=${nodes[0].id}&name=temperature`, '/'];
      const answers = await Promise.all(
        dashboard.map(async (path) => `${path} ${(await fetch(`${url}${path}`, { headers: reader, signal: AbortSignal.timeout(10_000) })).status}`),
      );
      assert.deepEqual(
        answers,
        dashboard.map((path) => `${path} 200`),
        "the dashboard's reads",
      );
      assert.equal((await get(`${url}/v1/pulse`)).status, 200);
      assert.equal(hub.proc.exitCode, null);
      assert.equal(stream.ended, false, 'the stream stays open');

      // Space returns: no restart; the retransmits are stored.
      unlinkSync(filler);
      statuses.length = 0;
      for (let k = 0; k < 5; k++) await round();
      assert.deepEqual([...new Set(statuses)], [200], 'every node stored again');
      for (const n of nodes) assert.equal(acked.get(n.id), n.entries.length, 'each node delivered its backlog');
      // Pulse, beating again, says the store failed and what to check.
      let issues: { check: string; fix?: string }[] = [];
      for (let k = 0; k < 100 && !issues.some((i) => i.check === 'hub.store-errors'); k++) {
        const p = await get(`${url}/v1/pulse`);
        issues = (p.body.issues ?? []) as typeof issues;
        await new Promise((r) => setTimeout(r, 100));
      }
      const storeIssue = issues.find((i) => i.check === 'hub.store-errors');
      assert.match(String(storeIssue?.fix), /disk is not full/, JSON.stringify(issues));
      await stream.until('the stream carries node 1 up to its ack', () => stream?.events.at(-1)?.seq === acked.get(nodes[0].id));
      assert.deepEqual(
        stream.events.map((e) => e.seq),
        stream.events.map((_, i) => i + 1),
        "the stream sent each of node 1's stored events once",
      );
      stream.close();
      t.diagnostic(
        `filler ${filled} bytes; entries acknowledged after the fill ${afterFill.join(', ')}; ${refused} batches refused; acks ${[...acked.values()].join(', ')}`,
      );

      const stopped = new Promise<number | null>((resolve) => hub?.proc.once('exit', (code) => resolve(code)));
      hub.proc.kill('SIGTERM');
      assert.equal(await stopped, 0, hub.output().slice(-2000));
      hub = undefined;
      assert.equal(existsSync(join(dataOutside, 'fazt.db-wal')), false, 'the closing checkpoint went through (the WAL is gone)');

      // A hub started on a full disk (a power cut, a reboot) says so and what to do, and touches nothing.
      fill(filler);
      await assert.rejects(
        startHub(() => fs.spawn(process.execPath, [FAZT, 'hub', '--data', data, '--listen', '127.0.0.1:0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })),
        /store-full: cannot open cartridge .*fazt\.db: the disk under it is full \(\d+ bytes free\)\. Free space on it and start again/,
      );
      unlinkSync(filler);

      copyFileSync(join(dataOutside, 'fazt.db'), join(local.dir, 'after.db'));
      const c = Cartridge.open(join(local.dir, 'after.db'));
      try {
        assert.equal(c.db.pragma('integrity_check', { simple: true }), 'ok');
        for (const n of nodes) assert.deepStrictEqual([...c.chain(n.id)], n.entries, 'every acknowledged entry, once, in order');
        const verified = verifyStoredChains(c, crypto);
        // By node: the chains come in id order, and how many entries each node made depends on which of its batches the full disk refused.
        assert.deepEqual(
          verified
            .filter((v) => v.kind === 'node')
            .map((v) => [v.node, v.events])
            .sort(),
          nodes.map((n) => [n.id, n.entries.length]).sort(),
        );
        const [own] = verified.filter((v) => v.kind === 'hub');
        assert.ok(own.events > 0, "the hub's own chain (its beats) verifies too");
        // Once it could store again, a beat said what happened.
        const said = [...c.chain(own.node)].filter((e) => e.type === 'pulse.critical').map((e) => (e.data as ValueMap).check);
        assert.ok(said.includes('hub.store-errors'), `Pulse said the store failed: ${said.join(', ')}`);
      } finally {
        c.close();
      }
    } finally {
      stream?.close();
      if (hub && hub.proc.exitCode === null && hub.proc.signalCode === null) {
        const gone = new Promise((resolve) => hub?.proc.once('exit', resolve));
        hub.proc.kill('SIGKILL');
        await gone;
      }
      await fs.close();
      local.cleanup();
    }
  });
});
