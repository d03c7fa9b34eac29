/**
 * Beacon and Timekeeper on a real (virtual) LAN: hubs as separate processes in
 * network namespaces joined by a bridge, SSDP multicast crossing it. Skips,
 * saying why, where namespaces cannot be made (not root, no iproute2).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLan, netnsUnavailable, type Lan } from '../helpers/netns.js';
import { FAZT, requireBuild } from '../helpers/child-process.js';
import { dataDir, eventually, faztJson, startFazt, type LanProcess } from '../helpers/lan-fazt.js';

const skip = netnsUnavailable();

interface PeerJson {
  id: string;
  name: string;
  address: string;
  kind: string;
  services: string[];
}
interface BeaconStatusJson {
  enabled: boolean;
  refused: number;
  peers: PeerJson[];
  cached: PeerJson[];
  record: PeerJson;
}

async function withLan(hosts: number, label: string, body: (lan: Lan, procs: LanProcess[]) => Promise<void>): Promise<void> {
  requireBuild();
  const lan = await createLan({ hosts, label });
  const procs: LanProcess[] = [];
  try {
    await body(lan, procs);
  } finally {
    await Promise.all(procs.map((p) => p.stop('SIGKILL').catch(() => null)));
    await lan.destroy();
  }
}

/** Each hub's data folder by name: the CLI on its host reads the owner.token there. */
const dirs = new Map<string, string>();

function hub(lan: Lan, procs: LanProcess[], i: number, name: string, extra: string[] = []): LanProcess {
  const dir = dataDir(name);
  dirs.set(name, dir);
  const p = startFazt(lan, lan.hosts[i], ['hub', '--data', dir, '--listen', '0.0.0.0:7070', '--beacon', '--name', name, ...extra]);
  procs.push(p);
  return p;
}

const status = (lan: Lan, i: number) => faztJson<BeaconStatusJson>(lan, lan.hosts[i], ['beacon', 'status']);
const names = (s: BeaconStatusJson) => s.peers.map((p) => p.name).sort();

describe('Beacon on a namespaced LAN', { skip }, () => {
  it('hubs find each other; one leaves (byebye) and is forgotten at once, a silent one expires', { timeout: 90_000 }, () =>
    withLan(3, 'bye', async (lan, procs) => {
      const fast = ['--announce', '1s'];
      const alpha = hub(lan, procs, 0, 'alpha', [...fast, '--forget', '4s']);
      const beta = hub(lan, procs, 1, 'beta', fast);
      hub(lan, procs, 2, 'gamma', fast);
      await Promise.all(procs.map((p) => p.waitOut(/listening on/)));
      const seen = await eventually(async () => {
        const s = await status(lan, 0);
        return names(s).join() === 'beta,gamma' ? s : undefined;
      }, 'alpha sees beta and gamma');
      const b = seen.peers.find((p) => p.name === 'beta') as PeerJson;
      assert.equal(b.address, lan.hosts[1].address, 'beta is at its own address');
      assert.deepEqual(b.services, ['uplink', 'enroll', 'events', 'time', 'mesh']);
      assert.ok(
        seen.cached.some((p) => p.name === 'beta'),
        'verified peers are cached in the store',
      );

      // A scan from gamma's host sees every hub (its own included) on its own address.
      const scan = await faztJson<{ peers: PeerJson[] }>(lan, lan.hosts[2], ['beacon', 'scan', '--timeout', '2s']);
      assert.deepEqual(
        scan.peers.map((p) => `${p.name}@${p.address}`).sort(),
        lan.hosts.map((h, i) => `${['alpha', 'beta', 'gamma'][i]}@${h.address}`),
      );

      // beta stops cleanly: its byebye removes it long before forget (4 s) could.
      const t0 = Date.now();
      assert.equal(await beta.stop('SIGTERM'), 0);
      await alpha.waitLog((r) => r.code === 'beacon-left' && r.name === 'beta', 3000);
      assert.ok(Date.now() - t0 < 3000);
      assert.deepEqual(names(await status(lan, 0)), ['gamma']);

      // gamma goes silent (its cable pulled: no byebye): forgotten after --forget, and pruned from the cache.
      await lan.setLink(lan.hosts[2], false);
      await alpha.waitLog((r) => r.code === 'beacon-expired' && r.name === 'gamma', 15_000);
      const after = await status(lan, 0);
      assert.deepEqual(names(after), []);
      assert.ok(!after.cached.some((p) => p.name === 'gamma'), 'the expired peer is pruned from the cache');
    }),
  );

  it('a hub whose SSDP port is taken says so and exits, instead of hanging', { timeout: 60_000 }, () =>
    withLan(1, 'busy', async (lan, procs) => {
      // A socket on 1900 without SO_REUSEADDR: node-ssdp's (reuseAddr) bind then fails with EADDRINUSE.
      const squatter = lan.spawn(
        lan.hosts[0],
        process.execPath,
        ['-e', "const s=require('dgram').createSocket('udp4');s.bind(1900,()=>console.log('bound'));setTimeout(()=>{},60000)"],
        { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
      );
      await new Promise<void>((ok) => squatter.stdout?.once('data', () => ok()));
      const h = hub(lan, procs, 0, 'busy');
      const t0 = Date.now();
      assert.equal(await h.exit, 1, 'the hub exits with an error');
      assert.ok(Date.now() - t0 < 15_000, 'within the bind timeout, not never');
      assert.match(h.err.join('\n'), /cannot bind UDP port 1900 for SSDP/);
      squatter.kill('SIGKILL');
    }),
  );

  it('refuses a forged beacon (a record signed by the wrong key)', { timeout: 60_000 }, () =>
    withLan(2, 'forge', async (lan, procs) => {
      const alpha = hub(lan, procs, 0, 'alpha');
      await alpha.waitOut(/listening on/);
      const r = await lan.run(lan.hosts[1], process.execPath, ['--import', 'tsx', 'test/netns/fixtures/forge-beacon.ts'], {
        timeoutMs: 20_000,
        env: process.env,
      });
      assert.equal(r.code, 0, r.stderr);
      const forged = (JSON.parse(r.stdout) as { forged: string }).forged;
      const refusal = await alpha.waitLog((x) => x.code === 'beacon-bad-signature', 10_000);
      assert.equal(refusal.address, lan.hosts[1].address);
      const s = await status(lan, 0);
      assert.ok(s.refused >= 1);
      assert.ok(!s.peers.some((p) => p.id === forged) && !s.cached.some((p) => p.id === forged), 'nothing from the forger is recorded');
    }),
  );
});

interface Reading {
  peer: string;
  status: string;
  offsetMs?: number;
}
interface TimeStatusJson {
  now: number;
  local: number;
  source: string;
  sources: number;
  targetMs: number | null;
  offsetMs: number | null;
  confidence: number;
}

describe('Timekeeper on a namespaced LAN', { skip }, () => {
  it('a peer 2 h fast is rejected as an outlier; three honest peers set the clock of a hub 10 min slow', { timeout: 120_000 }, () =>
    withLan(5, 'time', async (lan, procs) => {
      const honest = [0, 1, 2].map((i) => hub(lan, procs, i, `honest${i + 1}`, ['--time', 'system']));
      const liar = hub(lan, procs, 3, 'liar', ['--time', 'system', '--clock-skew', '+2h']);
      hub(lan, procs, 4, 'subject', ['--time', 'peers', '--clock-skew=-10m', '--time-poll', '2s']);
      await Promise.all(procs.map((p) => p.waitOut(/listening on/)));
      const ids = new Map<string, string>();
      for (const [p, name] of [...honest.map((h, i) => [h, `honest${i + 1}`] as const), [liar, 'liar'] as const])
        ids.set((await p.waitOut(/^hub (fz\S+)/))[1], name);
      await eventually(async () => ((await status(lan, 4)).peers.length === 4 ? true : undefined), 'the subject verifies all four peers');

      const r = await faztJson<{ status: TimeStatusJson; readings: Reading[] }>(lan, lan.hosts[4], ['time', 'sync', '--data', dirs.get('subject') as string]);
      const byName = new Map(r.readings.map((x) => [ids.get(x.peer), x]));
      assert.equal(byName.get('liar')?.status, 'outlier', JSON.stringify(r.readings));
      for (const n of ['honest1', 'honest2', 'honest3']) assert.equal(byName.get(n)?.status, 'kept', n);
      const trueNow = Date.now();
      const s = r.status;
      assert.equal(s.source, 'peers');
      assert.equal(s.sources, 3);
      assert.equal(s.targetMs, 30_000);
      assert.ok(Math.abs(s.local - (trueNow - 600_000)) < 5_000, "the subject's own clock is 10 min slow");
      assert.ok(Math.abs(s.now - trueNow) < 30_000, `consensus within ±30 s of true time (off by ${s.now - trueNow} ms)`);

      // `fazt time status` reports the same clock afterwards, and the round was persisted.
      const later = await faztJson<TimeStatusJson>(lan, lan.hosts[4], ['time', 'status', '--data', dirs.get('subject') as string]);
      assert.ok(Math.abs(later.now - Date.now()) < 30_000);
      assert.ok(later.confidence > 0.5);
    }),
  );
});

interface NodeLine {
  event: string;
  hub?: string;
  url?: string;
  node?: string;
  ack?: number;
}

describe('Nodes on a namespaced LAN', { skip }, () => {
  it('two nodes (firmware in XS) find their hub with no address configured, enrol and uplink; the hub finds them', { timeout: 120_000 }, () =>
    withLan(3, 'nodes', async (lan, procs) => {
      const data = dataDir('nodes-hub');
      const h = startFazt(lan, lan.hosts[0], ['hub', '--data', data, '--listen', '0.0.0.0:7070', '--beacon', '--name', 'home']);
      procs.push(h);
      const hubId = (await h.waitOut(/^hub (fz\S+)/))[1];
      const nodes = [1, 2].map((i) => {
        const invite = join(dataDir(`invite${i}`), 'invite.json');
        return { i, invite };
      });
      for (const n of nodes) {
        const inv = await lan.run(lan.hosts[0], process.execPath, [FAZT, 'invite', '--data', data, '--json'], { env: process.env });
        assert.equal(inv.code, 0, inv.stderr);
        writeFileSync(n.invite, inv.stdout);
      }
      const boards = ['esp32-c3-devkitm-1', 'esp32-devkitc'];
      const running = nodes.map((n) => {
        const p = startFazt(lan, lan.hosts[n.i], [
          'sim',
          'node',
          '--invite',
          n.invite,
          '--board',
          boards[n.i - 1],
          '--name',
          `node${n.i}`,
          '--runtime',
          'xs',
          '--announce',
          '--json',
        ]);
        procs.push(p);
        return p;
      });
      const parsed = (p: LanProcess) =>
        p.out.map((l) => {
          try {
            return JSON.parse(l) as NodeLine;
          } catch {
            return { event: '' };
          }
        });
      for (const [k, p] of running.entries()) {
        const found = await p.waitOut(/"event":"found"/, 30_000);
        const f = JSON.parse(found.input) as NodeLine;
        assert.equal(f.hub, hubId, 'the node found the hub of its invite');
        assert.equal(f.url, `http://${lan.hosts[0].address}:7070`);
        await p.waitOut(/"event":"enrolled"/, 30_000);
        await p.waitOut(/"event":"acked"/, 60_000);
        assert.ok(
          parsed(p).some((l) => l.event === 'acked' && (l.ack ?? 0) >= 1),
          `node${k + 1} acked`,
        );
      }
      const enrolled = running.map((p) => (parsed(p).find((l) => l.event === 'enrolled') as NodeLine).node as string);
      // The hub stored their events, and its beacon verified both nodes' own announcements.
      const listed = await eventually(async () => {
        const r = await lan.run(
          lan.hosts[0],
          process.execPath,
          [
            '-e',
            "fetch('http://127.0.0.1:7070/v1/nodes',{headers:{authorization:'Bearer '+process.env.FAZT_TOKEN}}).then(r=>r.text()).then(t=>process.stdout.write(t))",
          ],
          { env: { ...process.env, FAZT_TOKEN: readFileSync(join(data, 'owner.token'), 'utf8').trim() } },
        );
        const ids = (JSON.parse(r.stdout) as { nodes: { id: string; eventCount: number }[] }).nodes.filter((n) => n.eventCount > 0).map((n) => n.id);
        return enrolled.every((id) => ids.includes(id)) ? ids : undefined;
      }, "the hub stores both nodes' events");
      assert.equal(listed.length, 2);
      // Their boot event predates the first acknowledgement; later ones are stamped with the hub's clock, and say so.
      const clocks = await eventually(
        async () => {
          const ev = await lan.run(
            lan.hosts[0],
            process.execPath,
            [
              '-e',
              `fetch('http://127.0.0.1:7070/v1/events?node=${enrolled[0]}&limit=200',{headers:{authorization:'Bearer '+process.env.FAZT_TOKEN}}).then(r=>r.text()).then(t=>process.stdout.write(t))`,
            ],
            { env: { ...process.env, FAZT_TOKEN: readFileSync(join(data, 'owner.token'), 'utf8').trim() } },
          );
          const c = (JSON.parse(ev.stdout) as { events: { clock?: string }[] }).events.map((e) => e.clock);
          return c.includes('hub') ? c : undefined;
        },
        "events stamped with the hub's clock",
        60_000,
        1000,
      );
      assert.equal(clocks[0], 'unsynced');
      const s = await eventually(
        async () => {
          const st = await status(lan, 0);
          return st.peers.filter((p) => p.kind === 'node').length === 2 ? st : undefined;
        },
        'the hub sees both nodes on the LAN',
        40_000,
      );
      assert.deepEqual(
        s.peers
          .filter((p) => p.kind === 'node')
          .map((p) => p.address)
          .sort(),
        [lan.hosts[1].address, lan.hosts[2].address],
      );
    }),
  );
});
