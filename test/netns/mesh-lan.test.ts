/**
 * The mesh on a real (virtual) network: three `fazt hub --mesh` processes, each in its own
 * network namespace on one bridge, paired with the real `fazt mesh pair` CLI, and simulated
 * nodes (firmware in XS) uplinking to different hubs. Links are cut with `ip link set down`;
 * what each hub stored is compared from its cartridge and verified from exported bundles.
 * Skips, saying why, where namespaces cannot be made (not root, no iproute2).
 *
 * "A simulated day": the nodes take their time from their hubs, so their clocks cannot run
 * faster than the wall clock; a day is therefore counted in readings, not hours. An SHT4x
 * sampled every 5 minutes writes 576 readings a day (temperature and humidity); here it is
 * sampled every 100 ms, and a link stays cut until every node has written at least DAY
 * entries since the cut.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { dataDir, eventually, FAZT, requireBuild, type LanProcess } from '../helpers/lan-fazt.js';
import { createLan, netnsUnavailable, type Lan } from '../helpers/netns.js';
import { chainDigest, cloneConfig, forks, heads, type MeshHub, nodeConfig, onHub, pair, PORT, type SimNode, startHub, startNode } from './mesh-hubs.js';

const skip = netnsUnavailable();
/** A day of entries: 288 samples (one every 5 minutes) of two readings. */
const DAY = 576;
/** How often the nodes sample: a day in under 30 s. */
const SAMPLE = '100ms';
/** The hubs' sync interval: a figure of the test (rounds often enough to watch), not a timeout. */
const INTERVAL = '1s';
const LOCAL = `http://127.0.0.1:${PORT}`;

interface Rig {
  lan: Lan;
  procs: LanProcess[];
  hubs: MeshHub[];
}

/** A LAN of `hosts` hosts with a paired, syncing hub on each of the first three; everything stopped and removed in t.after. */
async function rig(t: TestContext, hosts: number, label: string): Promise<Rig> {
  requireBuild();
  const lan = await createLan({ hosts, label });
  const procs: LanProcess[] = [];
  const dirs: string[] = [];
  t.after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL').catch(() => null)));
    await lan.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const hubs = await Promise.all(['alpha', 'beta', 'gamma'].map((name, i) => startHub(lan, lan.hosts[i], name, INTERVAL)));
  for (const h of hubs) procs.push(h.proc), dirs.push(h.dir);
  const [a, b, c] = hubs;
  await pair(lan, a, b);
  await pair(lan, a, c);
  await pair(lan, b, c);
  return { lan, procs, hubs };
}

/** Waits until every hub holds the same head for every chain in `ids` (all of them when omitted). */
async function converged(hubs: MeshHub[], what: string, timeoutMs: number, ids?: string[]): Promise<Map<string, string>> {
  return eventually(
    async () => {
      const all = hubs.map(heads);
      const keys = ids ?? [...new Set(all.flatMap((m) => [...m.keys()]))];
      const first = all[0];
      return keys.every((k) => first.has(k) && all.every((m) => m.get(k) === first.get(k))) ? first : undefined;
    },
    what,
    timeoutMs,
    200,
  );
}

/** Until `node` reports a status line for which `ok` holds. */
const nodeReaches = (n: SimNode, ok: (l: NonNullable<ReturnType<SimNode['last']>>) => boolean, what: string, timeoutMs: number) =>
  eventually(
    async () => {
      const l = n.last();
      return l && ok(l) ? l : undefined;
    },
    what,
    timeoutMs,
    100,
  ).catch((e: Error) => {
    throw new Error(
      `${e.message}; last status ${JSON.stringify(n.last())}; its output: ${n.proc.out.slice(-3).join(' | ')}; stderr: ${n.proc.err.slice(-5).join(' | ')}`,
    );
  });

describe('the mesh on a namespaced LAN', { skip }, () => {
  it('hub C off the LAN for a simulated day while nodes keep writing; back on, all three hubs hold identical, verifiable logs', {
    timeout: 150_000,
  }, async (t) => {
    const { lan, procs, hubs } = await rig(t, 4, 'mpart');
    const [a, b, c] = hubs;
    const h4 = lan.hosts[3];
    // Three nodes beside their hubs, and one (delta) in a house of its own uplinking to gamma across the LAN.
    const specs = [
      { hub: a, host: a.host, url: LOCAL, name: 'n-alpha' },
      { hub: b, host: b.host, url: LOCAL, name: 'n-beta' },
      { hub: c, host: c.host, url: LOCAL, name: 'n-gamma' },
      { hub: c, host: h4, url: c.url, name: 'n-delta' },
    ];
    // Big enough for a day of readings: delta buffers all of them while gamma is away.
    const configs = await Promise.all(specs.map((s) => nodeConfig(lan, s.hub, s.url, s.name, SAMPLE, 1 << 20)));
    const ids = configs.map((x) => x.id);
    const nodes = specs.map((s, i) => startNode(lan, s.host, configs[i].file, s.url));
    procs.push(...nodes.map((n) => n.proc));
    for (const [i, n] of nodes.entries()) await nodeReaches(n, (l) => (l.acked ?? 0) >= 1, `${specs[i].name} acked`, 30_000);
    // The enrolments replicate with the hubs' chains: every hub learns every node.
    await converged(hubs, 'every hub holds every node', 30_000, ids);

    await lan.setLink(c.host, false);
    const cutAt = nodes.map((n) => n.last()?.head ?? 0);
    // A and B keep replicating each other while gamma is away.
    const ab = await converged([a, b], 'alpha and beta in step while gamma is away', 30_000, ids.slice(0, 2));
    t.diagnostic(`alpha and beta agree on ${ab.size} chains during the cut`);
    for (const [i, n] of nodes.entries()) await nodeReaches(n, (l) => (l.head ?? 0) >= cutAt[i] + DAY, `${specs[i].name} writes a day`, 90_000);
    const delta = nodes[3].last();
    assert.ok((delta?.buffered ?? 0) >= DAY, `delta buffered its day (${delta?.buffered} events) while gamma was away`);
    const away = heads(c);
    assert.notEqual(away.get(ids[0]), heads(a).get(ids[0]), 'gamma missed a day of alpha’s node');

    await lan.setLink(c.host, true);
    await nodeReaches(nodes[3], (l) => l.buffered === 0, 'delta delivers its day to gamma', 60_000);
    await Promise.all(nodes.map((n) => n.proc.stop('SIGTERM')));
    const final = await converged(hubs, 'all three hubs hold the same head for every chain', 60_000);
    for (const id of ids) assert.ok(final.has(id), `${id} is held`);
    await Promise.all(hubs.map((h) => h.proc.stop('SIGTERM')));

    // Identical logs: a digest of every stored entry of every node chain, per hub.
    for (const [i, id] of ids.entries()) {
      const d = hubs.map((h) => chainDigest(h, id));
      assert.ok(d[0].count > DAY, `${specs[i].name}: ${d[0].count} entries`);
      assert.deepEqual(d.slice(1), [d[0], d[0]], `${specs[i].name}: the same entries on every hub`);
    }
    t.diagnostic(`entries per node: ${ids.map((id) => chainDigest(a, id).count).join(', ')}`);

    // Every chain verifies from the bundles each hub exports (offline, no hub).
    const out = dataDir('bundles');
    t.after(() => rmSync(out, { recursive: true, force: true }));
    for (const h of hubs)
      for (const id of ids) {
        const file = join(out, `${h.name}-${id}.bundle`);
        const ex = await lan.run(h.host, process.execPath, [FAZT, 'export', '--data', h.dir, '--node', id, '-o', file], {
          timeoutMs: 20_000,
          env: process.env,
        });
        assert.equal(ex.code, 0, ex.stderr);
        const v = await lan.run(h.host, process.execPath, [FAZT, 'event', 'verify', file], { timeoutMs: 20_000, env: process.env });
        assert.equal(v.code, 0, `${h.name} ${id}: ${v.stdout} ${v.stderr}`);
      }
    assert.deepEqual(forks(a), [], 'no fork anywhere');
  });

  it('a node cloned into two devices on two hubs: every hub records the fork, none picks a winner', { timeout: 120_000 }, async (t) => {
    const { lan, procs, hubs } = await rig(t, 3, 'mfork');
    const [a, b, c] = hubs;
    // beta is off the LAN while the clones write, so each hub takes one history as the node's own.
    await lan.setLink(b.host, false);
    const one = await nodeConfig(lan, a, LOCAL, 'original', SAMPLE, 1 << 20);
    const two = await cloneConfig(lan, one.file, b, LOCAL, 'clone');
    const devices = [startNode(lan, a.host, one.file, LOCAL), startNode(lan, b.host, two, LOCAL)];
    procs.push(...devices.map((d) => d.proc));
    for (const [i, d] of devices.entries()) await nodeReaches(d, (l) => (l.acked ?? 0) >= 3, `device ${i + 1} acked`, 30_000);
    assert.ok(
      devices.every((d) => d.lines().some((l) => l.event === 'started' && l.node === one.id)),
      'both devices are the same node',
    );
    await Promise.all(devices.map((d) => d.proc.stop('SIGTERM')));
    const kept = [heads(a).get(one.id), heads(b).get(one.id)];
    assert.ok(kept[0] && kept[1] && kept[0] !== kept[1], `two histories: ${kept.join(' / ')}`);

    await lan.setLink(b.host, true);
    const seen = await eventually(
      async () => {
        const f = hubs.map(forks);
        return f.every((x) => x.some((k) => k.startsWith(`${one.id}@`))) ? f : undefined;
      },
      'every hub records the fork',
      60_000,
      200,
    );
    t.diagnostic(`forks: ${seen.map((f, i) => `${hubs[i].name} ${f.join(' ')}`).join('; ')}`);
    for (const h of hubs) {
      const s = await onHub<{ forks: { node: string; seq: number }[] }>(lan, h, ['mesh', 'status']);
      assert.ok(
        s.forks.some((f) => f.node === one.id),
        `${h.name}: fazt mesh status shows the fork`,
      );
    }
    // Neither history replaced the other: alpha and beta keep what their device gave them.
    assert.deepEqual([heads(a).get(one.id), heads(b).get(one.id)], kept, 'no hub picks a winner');
    assert.ok(kept.includes(heads(c).get(one.id)), 'gamma holds one of the two, as it first received it');
  });
});
