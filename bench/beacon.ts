/**
 * bench/beacon: LAN discovery on a namespaced LAN (test/helpers/netns.ts: a
 * bridge and veth pairs, one namespace per host; root needed).
 *
 * 1. Discovery time: from the start of a search to the verification of every
 *    hub (3 hubs), p50/p95 over `runs` searches (goal p95 < 2 s), by the
 *    hub-side scan (node-ssdp, node:crypto) and by the node firmware's own
 *    endpoint inside XS (noble), beside the raw baseline from the same script:
 *    the same M-SEARCH from a bare socket, timed to the last first answer.
 * 2. Multicast bytes per minute one hub sends: a listener on another host
 *    counts every multicast packet the hub sends (NOTIFY alive, its start-up
 *    M-SEARCH, byebye) with announcements every --announce (default 2 s, to
 *    count many in little time) and scales the per-announcement bytes to the
 *    30 s default.
 *
 *   node --import tsx bench/beacon.ts [--runs 30] [--window 20]
 */
import { parseArgs } from 'node:util';
import { createLan, netnsUnavailable } from '../test/helpers/netns.js';
import { requireBuild } from '../test/helpers/child-process.js';
import { dataDir, startFazt, type LanProcess } from '../test/helpers/lan-fazt.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, window: { type: 'string' } } });
const RUNS = Number(values.runs ?? 30);
const WINDOW_S = Number(values.window ?? 20);
const ANNOUNCE_S = 2;
const HUBS = 3;

const reason = netnsUnavailable();
if (reason) {
  process.stdout.write(`bench/beacon: skipped: ${reason}\n`);
  process.exit(0);
}
requireBuild();

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const lan = await createLan({ hosts: HUBS + 2, label: 'bench' });
const procs: LanProcess[] = [];
try {
  const listener = lan.spawn(lan.hosts[HUBS + 1], process.execPath, ['--import', 'tsx', 'bench/multicast-counter.ts', String(WINDOW_S)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  let counterOut = '';
  listener.stdout?.on('data', (d: Buffer) => (counterOut += d.toString()));
  const counted = new Promise<void>((ok) => listener.once('exit', () => ok()));
  for (let waited = 0; !counterOut.includes('listening'); waited += 20) {
    if (waited > 10_000) throw new Error('the multicast counter did not start within 10 s');
    await new Promise((ok) => setTimeout(ok, 20));
  }
  const windowStart = performance.now();
  for (let i = 0; i < HUBS; i++) {
    procs.push(
      startFazt(lan, lan.hosts[i], [
        'hub',
        '--data',
        dataDir(`bench${i}`),
        '--listen',
        '0.0.0.0:7070',
        '--beacon',
        '--name',
        `hub${i + 1}`,
        '--announce',
        `${ANNOUNCE_S}s`,
      ]),
    );
  }
  await Promise.all(procs.map((p) => p.waitOut(/listening on/)));

  const r = await lan.run(lan.hosts[HUBS], process.execPath, ['--import', 'tsx', 'bench/beacon-scan-runner.ts', String(HUBS), String(RUNS)], {
    timeoutMs: RUNS * 15_000,
    env: process.env,
  });
  if (r.code !== 0) throw new Error(`scan runner failed: ${r.stderr}`);
  const { verified, raw } = JSON.parse(r.stdout) as { verified: number[]; raw: number[] };
  const rx = await lan.run(lan.hosts[HUBS], process.execPath, ['--import', 'tsx', 'bench/beacon-xs-runner.ts', String(HUBS), String(RUNS)], {
    timeoutMs: RUNS * 15_000,
    env: process.env,
  });
  if (rx.code !== 0) throw new Error(`XS scan runner failed: ${rx.stderr}`);
  const { xs } = JSON.parse(rx.stdout) as { xs: number[] };

  // Stop hub1 cleanly inside the window, so its byebye is counted too.
  const remaining = WINDOW_S * 1000 - (performance.now() - windowStart) - 1500;
  if (remaining > 0) await new Promise((ok) => setTimeout(ok, remaining));
  await procs[0].stop('SIGTERM');
  await Promise.race([counted, new Promise((_, fail) => setTimeout(() => fail(new Error('the multicast counter did not finish')), 15_000))]);
  const counts = JSON.parse(counterOut.split('\n').filter((l) => l.startsWith('{'))[0]) as Record<string, Record<string, { packets: number; bytes: number }>>;
  const hub1 = counts[lan.hosts[0].address] ?? {};
  const alive = hub1.alive ?? { packets: 0, bytes: 0 };
  const perAnnounce = alive.packets ? alive.bytes / alive.packets : 0;

  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  process.stdout.write(
    [
      `bench/beacon: ${HUBS} hubs and a searcher in network namespaces (one bridge), ${RUNS} searches`,
      `  discovery of every hub, verified (fazt beacon scan path): p50 ${f(pct(verified, 50))}, p95 ${f(pct(verified, 95))}, max ${f(Math.max(...verified))}  (goal p95 < 2 s: ${pct(verified, 95) < 2000 ? 'met' : 'NOT met'})`,
      `  raw baseline (bare M-SEARCH, last first answer, nothing verified): p50 ${f(pct(raw, 50))}, p95 ${f(pct(raw, 95))}  → verified/raw at p50 ${(pct(verified, 50) / pct(raw, 50)).toFixed(2)}×`,
      `  the node firmware's own SSDP endpoint inside XS (noble Ed25519, bridged UDP, 2 ms pacing): p50 ${f(pct(xs, 50))}, p95 ${f(pct(xs, 95))}  → XS/raw at p50 ${(pct(xs, 50) / pct(raw, 50)).toFixed(0)}×  (goal p95 < 2 s: ${pct(xs, 95) < 2000 ? 'met' : 'NOT met'})`,
      `  multicast sent by one hub over ${WINDOW_S} s with --announce ${ANNOUNCE_S}s: ${alive.packets} alive NOTIFYs (${perAnnounce.toFixed(0)} B each), ` +
        `${hub1.search?.packets ?? 0} start-up M-SEARCH (${hub1.search?.bytes ?? 0} B), ${hub1.byebye?.packets ?? 0} byebye (${hub1.byebye?.bytes ?? 0} B)`,
      `  → at the default 30 s announcement: ${(perAnnounce * 2).toFixed(0)} B/min of multicast (2 NOTIFYs a minute), plus ${hub1.search?.bytes ?? 0} B once at start and ${hub1.byebye?.bytes ?? 0} B at a clean stop`,
    ].join('\n') + '\n',
  );
} finally {
  await Promise.all(procs.map((p) => p.stop('SIGKILL').catch(() => null)));
  await lan.destroy();
}
