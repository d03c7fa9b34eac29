/**
 * The mesh on a real (virtual) network: three `fazt hub --mesh` processes, each in its own
 * network namespace on one bridge, paired with the real `fazt mesh pair` CLI, and simulated
 * nodes (firmware in XS) uplinking to different hubs. Links are cut with `ip link set down`;
 * what each hub stored is compared from its cartridge and verified from exported bundles.
 * Skips, saying why, where namespaces cannot be made (not root, no iproute2).
 *
 * "A simulated day": the nodes take their time from their hubs, so their clocks cannot run
 * faster than the wall clock; a day is therefore counted in entries, not hours. An SHT4x
 * sampled every 15 minutes writes 192 readings a day (96 samples of temperature and
 * humidity); here it is sampled every 100 ms, and a link stays cut until every node has
 * written at least DAY entries since the cut.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { dispatch } from '../../host/cli/command.js';
import { root } from '../../host/cli/root.js';
import { requireBuild } from '../helpers/child-process.js';
import { dataDir, eventually, type LanProcess } from '../helpers/lan-fazt.js';
import { createLan, netnsUnavailable, type Lan } from '../helpers/netns.js';
import { type LanNats, natsSkip, startNatsOnLan } from './nats-lan.js';
import {
  chainDigest,
  cloneConfig,
  enrolAlso,
  forks,
  heads,
  type MeshHub,
  netemUnavailable,
  nodeConfig,
  onHub,
  pair,
  removeScratch,
  PORT,
  type SimNode,
  startHub,
  startNode,
} from './mesh-hubs.js';

const skip = netnsUnavailable();
/** A day of entries: 96 samples (one every 15 minutes) of two readings. */
const DAY = 192;
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

/**
 * A LAN of `hosts` hosts with a paired hub on each of the first three, replicating natively
 * (--mesh) or, with `nats`, only through a nats-server on the last host; everything stopped and
 * removed in t.after.
 */
async function rig(t: TestContext, hosts: number, label: string, nats = false): Promise<Rig> {
  requireBuild();
  const lan = await createLan({ hosts, label });
  const procs: LanProcess[] = [];
  let server: LanNats | undefined;
  t.after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL').catch(() => null)));
    await lan.destroy();
    server?.cleanup();
    removeScratch();
  });
  if (nats) server = await startNatsOnLan(lan, lan.hosts[hosts - 1]);
  const flags = server ? server.hubFlags : ['--mesh', '--mesh-interval', INTERVAL];
  const hubs = await Promise.all(['alpha', 'beta', 'gamma'].map((name, i) => startHub(lan, lan.hosts[i], name, flags)));
  for (const h of hubs) procs.push(h.proc);
  const [a, b, c] = hubs;
  await pair(lan, a, b);
  await pair(lan, a, c);
  await pair(lan, b, c);
  return { lan, procs, hubs };
}

/** Waits until every hub holds the same head for every chain in `ids` (all of them when omitted); says which differ if not. */
async function converged(hubs: MeshHub[], what: string, timeoutMs: number, ids?: string[]): Promise<Map<string, string>> {
  let differ = '';
  return eventually(
    async () => {
      const all = hubs.map(heads);
      const keys = ids ?? [...new Set(all.flatMap((m) => [...m.keys()]))];
      const first = all[0];
      const apart = keys.filter((k) => !first.has(k) || !all.every((m) => m.get(k) === first.get(k)));
      differ = apart.map((k) => `${k}: ${all.map((m, i) => `${hubs[i].name} ${m.get(k)?.split(':')[0] ?? '-'}`).join(', ')}`).join('; ');
      return apart.length === 0 ? first : undefined;
    },
    what,
    timeoutMs,
    200,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; apart: ${differ}`);
  });
}

/** Runs `fazt ARGV` in this process, as main() would: the exit code and what it printed. */
async function fazt(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { stdin: async () => Buffer.alloc(0), out: (x: string) => void (out += x), err: (x: string) => void (out += x) };
  try {
    return { code: await dispatch(root, argv, ['fazt'], io), out };
  } catch (e) {
    return { code: 1, out: `${out}fazt: ${(e as Error).message}` };
  }
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

/**
 * The partition case: nodes on alpha, beta and gamma, and delta uplinking to gamma from a
 * host of its own; gamma's cable pulled for a day of readings (delta buffers its day) while
 * alpha and beta stay in step; the cable back in, all three converge on the same heads, the
 * same entries, and bundles that verify.
 */
async function partitionCase(t: TestContext, nats: boolean): Promise<void> {
  const t0 = Date.now();
  /** Where the case is, for the diagnostics (and stderr, as it happens, with FAZT_TEST_TRACE=1). */
  const step = (what: string) => {
    const line = `${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`;
    t.diagnostic(line);
    if (process.env.FAZT_TEST_TRACE) process.stderr.write(`${line}\n`);
  };
  const { lan, procs, hubs } = await rig(t, nats ? 5 : 4, nats ? 'mnats' : 'mpart', nats);
  step('hubs paired');
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
  // Over NATS a hub stores only the pages of nodes it has enrolled (README, "Mesh over NATS JetStream"): each node enrols with all three.
  if (nats)
    await Promise.all(
      hubs.map((h) =>
        enrolAlso(
          lan,
          configs.filter((_, i) => specs[i].hub !== h).map((x) => x.file),
          h,
        ),
      ),
    );
  step('nodes configured');
  const nodes = specs.map((s, i) => startNode(lan, s.host, configs[i].file, s.url));
  procs.push(...nodes.map((n) => n.proc));
  for (const [i, n] of nodes.entries()) await nodeReaches(n, (l) => (l.acked ?? 0) >= 1, `${specs[i].name} acked`, 30_000);
  // Every hub learns every node (and holds some of its chain), wherever it uplinks; the nodes keep writing, so heads are compared only once they stop.
  await eventually(async () => (hubs.every((h) => ids.every((id) => heads(h).has(id))) ? true : undefined), 'every hub holds every node', 30_000, 200);
  step('every hub holds every node');

  await lan.setLink(c.host, false);
  const cutAt = nodes.map((n) => n.last()?.head ?? 0);
  // A and B keep replicating each other while gamma is away: each comes to hold the other's node beyond where it stood at the cut.
  const seq = (h: MeshHub, id: string) => Number(heads(h).get(id)?.split(':')[0] ?? 0);
  await eventually(
    async () => (seq(b, ids[0]) > cutAt[0] && seq(a, ids[1]) > cutAt[1] ? true : undefined),
    `alpha and beta replicate each other while gamma is away (${nats ? 'NATS' : 'native'})`,
    30_000,
    200,
  );
  step('gamma cut; alpha and beta still replicate each other');
  for (const [i, n] of nodes.entries()) await nodeReaches(n, (l) => (l.head ?? 0) >= cutAt[i] + DAY, `${specs[i].name} writes a day`, 90_000);
  step('a day written');
  const delta = nodes[3].last();
  assert.ok((delta?.buffered ?? 0) >= DAY, `delta buffered its day (${delta?.buffered} events) while gamma was away`);
  const away = heads(c);
  assert.notEqual(away.get(ids[0]), heads(a).get(ids[0]), 'gamma missed a day of alpha’s node');

  await lan.setLink(c.host, true);
  // Delivered: what is left is less than one batch (64), the readings of the last second, not the day.
  await nodeReaches(nodes[3], (l) => (l.buffered ?? DAY) < 64, 'delta delivers its day to gamma', 60_000);
  step('gamma back; delta delivered its day');
  await Promise.all(nodes.map((n) => n.proc.stop('SIGTERM')));
  // Natively every chain converges, the hubs' own included; over NATS the nodes' chains do, and a
  // hub's own chain is not stored by the others (they have not enrolled it: README, "Mesh over NATS JetStream").
  const final = await converged(hubs, 'all three hubs hold the same head for every chain', 60_000, nats ? ids : undefined);
  for (const id of ids) assert.ok(final.has(id), `${id} is held`);
  step(`converged on ${final.size} chains`);
  await Promise.all(hubs.map((h) => h.proc.stop('SIGTERM')));

  // Identical logs: a digest of every stored entry of every node chain, per hub.
  for (const [i, id] of ids.entries()) {
    const d = hubs.map((h) => chainDigest(h, id));
    assert.ok(d[0].count > DAY, `${specs[i].name}: ${d[0].count} entries`);
    assert.deepEqual(d.slice(1), [d[0], d[0]], `${specs[i].name}: the same entries on every hub`);
  }
  t.diagnostic(`entries per node: ${ids.map((id) => chainDigest(a, id).count).join(', ')}`);

  // Every chain verifies from the bundles each hub exports (offline, no hub): `fazt export` and
  // `fazt event verify`, run in this process (the cartridges are files; the hubs have stopped).
  const out = dataDir('bundles');
  t.after(() => rmSync(out, { recursive: true, force: true }));
  for (const h of hubs)
    for (const id of ids) {
      const file = join(out, `${h.name}-${id}.bundle`);
      const ex = await fazt(['export', '--data', h.dir, '--node', id, '-o', file]);
      assert.equal(ex.code, 0, ex.out);
      const v = await fazt(['event', 'verify', file]);
      assert.equal(v.code, 0, `${h.name} ${id}: ${v.out}`);
    }
  step('every bundle verifies');
  for (const h of hubs) assert.deepEqual(forks(h), [], `no fork on ${h.name}`);
}

describe('the mesh on a namespaced LAN', { skip }, () => {
  it('hub C off the LAN for a simulated day while nodes keep writing; back on, all three hubs hold identical, verifiable logs', { timeout: 150_000 }, (t) =>
    partitionCase(t, false),
  );

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

describe('the mesh on a lossy, slow namespaced LAN', { skip }, () => {
  it('10 % loss and 100 ms delay on gamma’s link (tc netem) while nodes write a day: the hubs converge through it', { timeout: 150_000 }, async (t) => {
    const reason = await netemUnavailable();
    if (reason) {
      t.skip(reason);
      return;
    }
    const { lan, procs, hubs } = await rig(t, 3, 'mloss');
    const c = hubs[2];
    // On gamma's side of its link: every packet it sends (data and acknowledgements alike) is delayed, one in ten lost.
    const tc = await lan.run(c.host, 'tc', ['qdisc', 'add', 'dev', c.host.iface, 'root', 'netem', 'delay', '100ms', '20ms', 'loss', '10%']);
    assert.equal(tc.code, 0, tc.stderr);
    const configs = await Promise.all(hubs.map((h) => nodeConfig(lan, h, LOCAL, `n-${h.name}`, SAMPLE, 1 << 20)));
    const ids = configs.map((x) => x.id);
    const nodes = hubs.map((h, i) => startNode(lan, h.host, configs[i].file, LOCAL));
    procs.push(...nodes.map((n) => n.proc));
    for (const [i, n] of nodes.entries()) await nodeReaches(n, (l) => (l.head ?? 0) >= DAY, `${hubs[i].name}'s node writes a day`, 90_000);
    await Promise.all(nodes.map((n) => n.proc.stop('SIGTERM')));
    await converged(hubs, 'all three hubs hold the same head for every node, through the lossy link', 90_000, ids);
    await Promise.all(hubs.map((h) => h.proc.stop('SIGTERM')));
    for (const id of ids) {
      const d = hubs.map((h) => chainDigest(h, id));
      assert.deepEqual(d.slice(1), [d[0], d[0]], `${id}: the same entries on every hub`);
    }
  });
});

describe('the mesh over NATS JetStream on a namespaced LAN', { skip: skip ?? natsSkip }, () => {
  it('the same partition with the hubs replicating only through a nats-server on the LAN', { timeout: 150_000 }, (t) => partitionCase(t, true));
});
