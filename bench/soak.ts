/**
 * bench/soak: the hub under many nodes for a long while (issue 19,
 * "Capacity"). N nodes (bench/soak-nodes.ts; default 1,000), each its own
 * Ed25519 key and 127.x.y.z address, send compact batches signed by the
 * firmware's own event log and encoder (bench/soak-sender.ts, a child
 * process: the Node runtime's uplink path without a whole runtime per node,
 * so 1,000 nodes fit beside the hub on a small machine) to ONE hub process
 * (bench/soak-hub.ts: the built `fazt hub` with percepts, 20 enabled rules
 * and Pulse), while an SSE client watches /v1/stream. Reported: the hub process's CPU share of one core
 * (/proc/<pid>/stat), its resident memory over time and the slope over the
 * second half, ack latency p50/p99, store growth per node per day and the
 * WAL's size; each beside a baseline measured here (the idle hub's CPU;
 * raw better-sqlite3 inserts' CPU per event), and scaled to a Raspberry Pi 4
 * (an estimate, see PI4_SYSBENCH).
 *
 *   node --import tsx bench/soak.ts [--nodes N] [--minutes M] [--rate] [--batched] [--aligned] [--quick] [--profile DIR]
 *     [--probe-dir DIR] [--profile-windows 120-180,660-720] [--heap-snapshots 180,720]
 *
 * --rate: every node reads once a second (goal: 1,000 nodes on < 25 % of one
 * core, memory flat, p99 < 50 ms). --quick: 100 nodes for one minute.
 * Nodes start at random times within their batching period (5 s batched), as
 * nodes switched on at different times; --aligned: all within one reading
 * interval, so with --batched the fleet's batches come in the same second of
 * every five (a fleet switched on at once, e.g. after a power cut).
 */
import Database from 'better-sqlite3';
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { closeSync, existsSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { get } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeCbor } from '../firmware/codec/cbor-encode.js';
import { entryHash } from '../firmware/event/envelope.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { UPLINK } from '../host/node-config/init-config.js';
import { Cartridge } from '../host/store/cartridge.js';
import { startSoakHub } from './soak-hub.js';
import type { PhaseSecond } from './soak-phases.js';
import { bundleMap, type CpuProfile, ProfileTurns, turnCauses, turnLine } from './profile-turns.js';
import { soakNodes } from './soak-nodes.js';

/**
 * A Raspberry Pi 4's single core in sysbench 1.0.20's CPU test (`sysbench cpu --threads=1 run`, primes up to
 * 10,000): 1,477.83 events/s (leoncode.co.uk/articles/raspberry-pi-benchmarks). The same test on this
 * machine gives the ratio the hub's CPU share is scaled by: an estimate, the hub's work (JS, SQLite,
 * Ed25519, syscalls) being no prime sieve.
 */
const PI4_SYSBENCH = 1477.83;
/** This machine's single core against a Pi 4's, or undefined without sysbench (apt install sysbench). */
function pi4Factor(): number | undefined {
  try {
    const out = execFileSync('sysbench', ['cpu', '--threads=1', '--time=5', 'run'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const eps = Number(/events per second:\s+([\d.]+)/.exec(out)?.[1]);
    return eps > 0 ? eps / PI4_SYSBENCH : undefined;
  } catch {
    return undefined;
  }
}
const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

const { values } = parseArgs({
  options: {
    nodes: { type: 'string' },
    minutes: { type: 'string' },
    rate: { type: 'boolean' },
    quick: { type: 'boolean' },
    batched: { type: 'boolean' },
    aligned: { type: 'boolean' },
    profile: { type: 'string' },
    'probe-dir': { type: 'string' },
    'profile-windows': { type: 'string' },
    'heap-snapshots': { type: 'string' },
  },
});
const count = Number(values.nodes ?? (values.quick ? 100 : 1000));
const minutes = Number(values.minutes ?? (values.quick ? 1 : 30));
if (!Number.isSafeInteger(count) || count < 1 || count > 60_000) throw new RangeError(`--nodes must be a whole number from 1 to 60000, got ${values.nodes}`);
if (!(minutes > 0)) throw new RangeError(`--minutes must be a positive number, got ${values.minutes}`);
const rate = values.rate === true;
const uplink = values.batched ? UPLINK : undefined;
const durationMs = minutes * 60_000;
const sampleMs = Math.min(10_000, durationMs / 6);
/** The start's storm (every node's first batch, its dictionary and its connection at once), counted apart from the rest. */
const warmupMs = Math.min(60_000, durationMs / 4);

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const child = (file: string) => fork(new URL(file, import.meta.url).pathname, { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
function ask<T>(p: ChildProcess, msg: object): Promise<T> {
  return new Promise((resolve, reject) => {
    p.once('message', (m) => resolve(m as T));
    p.once('exit', (code) => reject(new Error(`${p.spawnfile} exited (${code}) before answering`)));
    p.send(msg);
  });
}

/** The process's CPU seconds so far (user + system) and resident memory in bytes. */
function procStats(pid: number): { cpu: number; sys: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpu: (Number(fields[11]) + Number(fields[12])) / TICKS, sys: Number(fields[12]) / TICKS, rss: rssKb * 1024 };
}
/** The main thread's time waiting on a run queue for a CPU so far, in s (/proc/<pid>/schedstat's second field, ns). */
const runWait = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

// --- the baseline: raw better-sqlite3 inserts of one reading per transaction (as a node's batch of one), CPU per event
const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-soak-'));
function rawCpuPerEvent(): number {
  const raw = new Database(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec(`CREATE TABLE events (node TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL,
    time INTEGER NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL, data BLOB NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (node, seq)) STRICT, WITHOUT ROWID`);
  const id = identityFromSecretKey(new Uint8Array(32).fill(7), nodeCrypto);
  let t = Date.UTC(2026, 0, 1);
  const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => t });
  const rows = Array.from({ length: 3000 }, () => {
    t += 1000;
    const e = log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21.5, quality: 'good', time: t });
    return [id.id, e.seq, e.id, e.type, e.source, e.time, e.prev, entryHash(e, nodeCrypto), encodeCbor(e.data), 0] as const;
  });
  const insert = raw.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const one = raw.transaction((r: (typeof rows)[number]) => insert.run(...r));
  const c0 = process.cpuUsage();
  for (const r of rows) one(r);
  const c = process.cpuUsage(c0);
  raw.close();
  return (c.user + c.system) / 1e6 / rows.length;
}
const rawCpu = rawCpuPerEvent();
const pi4 = pi4Factor();

// --- the hub, its nodes enrolled, and an SSE client on /v1/stream
const nodes = soakNodes(count, rate);
const sender = child('./soak-sender.ts');
let hubProcess: ChildProcess | undefined;
process.on('exit', () => {
  for (const p of [hubProcess, sender]) if (p && p.exitCode === null) p.kill();
});
mkdirSync(join(dir, 'hub'));
/** --probe-dir: the probe's figures (per minute too) and --profile-windows' CPU profiles are kept there, not in the temporary folder. */
const probeDir = values['probe-dir'] ?? dir;
mkdirSync(probeDir, { recursive: true });
const probeFile = join(probeDir, 'probe.json');
if (values['profile-windows'] !== undefined) {
  if (!/^\d+-\d+(,\d+-\d+)*$/.test(values['profile-windows']))
    throw new RangeError(`--profile-windows must be from-to seconds, comma separated (120-180,660-720), got ${values['profile-windows']}`);
  process.env.FAZT_SOAK_CPU_PROFILES = values['profile-windows'];
}
/** --heap-snapshots: V8 heap snapshots of the hub at those seconds (kept in --probe-dir), and each minute's heap measured after a full collection. */
if (values['heap-snapshots'] !== undefined) {
  if (!/^\d+(,\d+)*$/.test(values['heap-snapshots']))
    throw new RangeError(`--heap-snapshots must be seconds, comma separated (180,720), got ${values['heap-snapshots']}`);
  process.env.FAZT_SOAK_HEAP_SNAPSHOTS = values['heap-snapshots'];
}
const address = await startSoakHub(
  join(dir, 'hub'),
  nodes.map((n) => ({ publicKey: n.publicKey, name: n.name })),
  { file: probeFile, warmupMs },
  values.profile,
);
hubProcess = address.process;
const hubPid = address.pid;
let streamed = 0;
const stream = get(`${address.url}/v1/stream`, { headers: address.auth }, (res) => {
  if (res.statusCode !== 200) throw new Error(`GET /v1/stream answered ${res.statusCode}`);
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.startsWith('data:')) streamed++;
  });
});
stream.on('error', () => undefined); // the stream ends when the hub stops
/** The bytes the cartridge's pages hold, the WAL's newest pages included (a reader's view, whatever is checkpointed yet). */
const used = () => {
  const db = new Database(address.cartridge, { readonly: true, fileMustExist: true });
  try {
    const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
    return pages * (db.pragma('page_size', { simple: true }) as number);
  } finally {
    db.close();
  }
};

// Idle: the hub with its rules, Pulse and the stream client, no traffic, after a moment to settle from its start.
await sleep(2000);
const idleMs = Math.min(10_000, sampleMs);
const i0 = procStats(hubPid);
await sleep(idleMs);
const idleShare = (procStats(hubPid).cpu - i0.cpu) / (idleMs / 1000);

// --- the soak
const usedBefore = used();
const s0 = procStats(hubPid);
const w0 = runWait(hubPid);
const t0 = performance.now();
await ask(sender, { setup: { url: address.url, nodes: nodes.map(({ publicKey: _, ...n }) => n), uplink, warmupMs, aligned: values.aligned === true } });
/**
 * The machine's own fsync latency beside the hub's: a 4-KB write and fdatasync on the same disk every second (the
 * hub's acks wait for an fsync each), per minute, so service times that follow the disk's are told apart from the hub's.
 */
const disk: number[][] = [];
const diskFd = openSync(join(dir, 'fsync-probe'), 'w');
const page = Buffer.alloc(4096, 1);
const diskTimer = setInterval(() => {
  const t = performance.now();
  writeSync(diskFd, page, 0, page.length, 0);
  fdatasyncSync(diskFd);
  const minute = Math.floor((t - t0) / 60_000);
  (disk[minute] ??= []).push(performance.now() - t);
}, 1000);
const samples: { at: number; cpu: number; rss: number; wal: number }[] = [];
while (performance.now() - t0 < durationMs) {
  await sleep(Math.min(sampleMs, durationMs - (performance.now() - t0)));
  const s = procStats(hubPid);
  samples.push({ at: (performance.now() - t0) / 1000, cpu: s.cpu, rss: s.rss, wal: sizeOf(`${address.cartridge}-wal`) });
}
interface Spread {
  p50: number;
  p99: number;
  max: number;
}
const sent = await ask<{
  latencies: number[];
  freshLatencies: number[];
  steadyLatencies: number[];
  connects: number[];
  firsts: { sign: number; written: number; acked: number; at: number; address: string; writtenAt: number; ackedAt: number }[];
  slowAt: string;
  acked: number;
  refused: string;
  failed: number;
  cpuShare: number;
  loopDelayMs: Spread;
}>(sender, {
  stop: true,
});
clearInterval(diskTimer);
closeSync(diskFd);
const wall = (performance.now() - t0) / 1000;
const s1 = procStats(hubPid);
const waited = runWait(hubPid) - w0;
const usedAfter = used();
const files = { db: sizeOf(address.cartridge), wal: sizeOf(`${address.cartridge}-wal`) };
const load = loadavg();
await address.stop();
/** What bench/soak-probe.ts measured inside the hub. */
const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as {
  serviceMs: Spread & { count: number };
  steadyServiceMs: Spread & { count: number };
  freshServiceMs: Spread & { count: number };
  acceptWaitMs: Spread & { count: number };
  seconds: PhaseSecond[];
  firstByAddress: Record<string, { accepted: number; head: number; replied?: number }>;
  loopDelayMs: Spread;
  gcMs: Spread & { count: number; byKind: Record<string, { count: number; ms: number }> };
  blocked: { at: number; ms: number }[];
  blockedCount: number;
  blockedSpans: { from: number; to: number; cpuMs: number }[];
  sqlTimes: Record<string, Record<string, { calls: number; ms: number }>>;
  minutes: {
    at: number;
    uplinks: number;
    p50: number;
    p99: number;
    rss: number;
    heapUsed: number;
    heapTotal: number;
    external: number;
    arrayBuffers: number;
    malloced: number;
    syncs: number;
    syncP50: number;
    syncP99: number;
    writtenMB: number;
    beforeSyncP50: number;
    inSyncP50: number;
    afterSyncP50: number;
    splitCount: number;
  }[];
};
stream.destroy();
sender.kill();
/** What ran in the long turns, from the CPU profiles taken (--profile's whole run, --profile-windows' windows). */
const profiles = [
  ...(values.profile === undefined ? [] : readdirSync(values.profile).map((f) => join(values.profile as string, f))),
  ...(values['profile-windows']?.split(',').map((w) => `${probeFile}.${w}.cpuprofile`) ?? []),
].filter((f) => f.endsWith('.cpuprofile') && existsSync(f));
const maps = bundleMap(new URL('../dist/fazt.js', import.meta.url).href);
const named = profiles.flatMap((f) => new ProfileTurns(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile, maps).within(probe.blockedSpans));
const ended = Cartridge.open(address.cartridge);
const stored = ended.nodes().reduce((sum, x) => sum + x.eventCount, 0);
ended.close();
rmSync(dir, { recursive: true, force: true });

// --- figures
const share = (s1.cpu - s0.cpu) / wall;
/** Above the idle hub's: what storing an event costs, its share of the rules, Pulse and the stream included. */
const cpuPerEvent = ((share - idleShare) * wall) / Math.max(1, stored);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const lat = sorted(sent.latencies);
const pctOf = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const pct = (p: number) => pctOf(lat, p);
const fresh = sorted(sent.freshLatencies);
const connects = sorted(sent.connects);
const steady = sorted(sent.steadyLatencies);
const half = samples.filter((s) => s.at >= wall / 2);
/** Least-squares slope of RSS over the second half, in MB per minute. */
const slope = (() => {
  if (half.length < 2) return Number.NaN;
  const mx = half.reduce((a, s) => a + s.at, 0) / half.length;
  const my = half.reduce((a, s) => a + s.rss, 0) / half.length;
  const num = half.reduce((a, s) => a + (s.at - mx) * (s.rss - my), 0);
  const den = half.reduce((a, s) => a + (s.at - mx) ** 2, 0);
  return ((num / den) * 60) / 1e6;
})();
const bytesPerEvent = (usedAfter - usedBefore) / Math.max(1, stored);
/** A node's events a day by its schedule (a PIR node: a 5-event burst after 1 look in 20 at 5 s, one a second). */
const perNodeDay =
  nodes.reduce((sum, n) => sum + (n.kind === 'env' ? (2 * 86_400_000) / n.intervalMs : n.kind === 'fast' ? 86_400 : (86_400 / 105) * 5), 0) / count;
const shown = samples.filter((_, i) => i % Math.ceil(samples.length / 12) === 0 || i === samples.length - 1);
const mb = (b: number) => fmt(b / 1e6, 1);
const mode = `${rate ? 'every node one reading a second' : '80 % every 10–60 s (2 readings), 10 % every second, 10 % PIR bursts'}; ${
  uplink ? `batched as the firmware does (${uplink.batchSize} entries or ${uplink.maxDelayMs / 1000} s, motion at once)` : 'a request per reading'
}; ${values.aligned ? 'all switched on within one reading interval (--aligned)' : 'switched on at random times over their batching period'}`;

console.log(
  `bench/soak: ${fmt(count)} nodes (${mode}), ${fmt(wall, 0)} s, one hub process (dist/fazt.js hub: percepts, ${address.rules} enabled rules, Pulse a beat a minute; one SSE client)`,
);
console.log(
  `  stored ${fmt(stored)} events (${fmt(stored / wall, 1)} events/s), ${fmt(sent.latencies.length)} batches acked, refused: ${sent.refused}; ${sent.failed} failed on the connection and sent again; ${fmt(streamed)} events streamed (node and hub chains); the senders' process ${fmt(sent.cpuShare * 100, 1)} % of a core`,
);
console.log(
  address.streamDrops.length === 0 ? '  the SSE client was never dropped by the hub' : `  the hub DROPPED the SSE client: ${address.streamDrops.join('; ')}`,
);
console.log(
  `  hub CPU: ${fmt(share * 100, 1)} % of one core (${fmt(((s1.sys - s0.sys) / Math.max(s1.cpu - s0.cpu, 1e-9)) * 100, 0)} % of it in the kernel); idle (rules, Pulse, stream, no traffic) ${fmt(idleShare * 100, 1)} %: ${fmt(share / Math.max(idleShare, 1e-3), 1)}× idle`,
);
console.log(
  cpuPerEvent > 0
    ? `  hub CPU per stored event above idle ${fmt(cpuPerEvent * 1e6, 0)} µs beside raw better-sqlite3 inserts (a transaction per reading) ${fmt(rawCpu * 1e6, 0)} µs: ${fmt(cpuPerEvent / rawCpu, 1)}×`
    : `  hub CPU per stored event: within the idle figure's noise at this load (raw better-sqlite3 inserts: ${fmt(rawCpu * 1e6, 0)} µs)`,
);
/** What the nodes' schedules offer (events/s), and the share of one core storing it takes at this run's cost per event. */
const offered = (perNodeDay * count) / 86_400;
if (cpuPerEvent > 0)
  console.log(
    `  the nodes' schedules offer ${fmt(offered, 1)} events/s (stored ${fmt((stored / wall / offered) * 100, 0)} % of that in the run): at ${fmt(cpuPerEvent * 1e6, 0)} µs an event and the idle ${fmt(idleShare * 100, 1)} %, that rate needs ${fmt((offered * cpuPerEvent + idleShare) * 100, 1)} % of one core here, whatever share the machine's load left the hub`,
  );
const spread = (x: Spread) => `p50 ${fmt(x.p50, 2)} ms, p99 ${fmt(x.p99, 2)} ms, max ${fmt(x.max, 1)} ms`;
console.log(
  `  ack latency at the senders (a signed batch handed to its connection → the ack's last byte read): p50 ${fmt(pct(50), 2)} ms, p99 ${fmt(pct(99), 2)} ms, max ${fmt(lat.at(-1) ?? Number.NaN, 1)} ms`,
);
console.log(
  `    of them on a new connection (the hub closes a keep-alive connection idle ${'5'} s): ${fmt(fresh.length)}, p50 ${fmt(pctOf(fresh, 50), 2)} ms, p99 ${fmt(pctOf(fresh, 99), 2)} ms; the TCP connects alone p50 ${fmt(pctOf(connects, 50), 2)} ms, p99 ${fmt(pctOf(connects, 99), 2)} ms, max ${fmt(connects.at(-1) ?? Number.NaN, 1)} ms; acks slower than 1 s: ${sent.slowAt}`,
);
console.log(
  `    after the first ${fmt(warmupMs / 1000)} s (${fmt(steady.length)} acks): p50 ${fmt(pctOf(steady, 50), 2)} ms, p99 ${fmt(pctOf(steady, 99), 2)} ms, max ${fmt(steady.at(-1) ?? Number.NaN, 1)} ms`,
);
console.log(
  `  the hub's service time (request head parsed → reply's last byte written; ${fmt(probe.serviceMs.count)} uplinks): ${spread(probe.serviceMs)}; after the first ${fmt(warmupMs / 1000)} s ${spread(probe.steadyServiceMs)}`,
);
// The start: each node's first batch at the senders, in the hub, and the hub's seconds while the first batches came.
const firsts = sent.firsts;
const ofFirsts = (k: 'sign' | 'written' | 'acked' | 'at') => sorted(firsts.map((f) => f[k]));
const spreadOf = (xs: number[]) => ({ p50: pctOf(xs, 50), p99: pctOf(xs, 99), max: xs.at(-1) ?? Number.NaN });
const writtenAt = ofFirsts('at');
const per100 = new Map<number, number>();
for (const t of writtenAt) per100.set(Math.floor(t / 100), (per100.get(Math.floor(t / 100)) ?? 0) + 1);
console.log(
  `  the start, each node's first batch (${fmt(firsts.length)}): written from ${fmt(writtenAt[0] / 1000, 2)} s to ${fmt((writtenAt.at(-1) ?? 0) / 1000, 2)} s (half of them within ${fmt((pctOf(writtenAt, 75) - pctOf(writtenAt, 25)) / 1000, 2)} s; at most ${Math.max(...per100.values())} in 100 ms); at the senders: signed and encoded ${spread(spreadOf(ofFirsts('sign')))}; then its connection made and the request handed to the kernel ${spread(spreadOf(ofFirsts('written')))}; from written to the ack read ${spread(spreadOf(ofFirsts('acked')))}`,
);
console.log(
  `    in the hub: a new connection's wait from its accept to its request's head parsed ${spread(probe.acceptWaitMs)}; the service time of a connection's first uplink ${spread(probe.freshServiceMs)} (${fmt(probe.freshServiceMs.count)})`,
);
// Each first batch's path, the senders' times joined with the hub's by the node's address (one machine, one clock).
const joined = firsts.flatMap((f) => {
  const h = probe.firstByAddress[f.address];
  return h?.replied === undefined
    ? []
    : [{ queued: h.accepted - f.writtenAt, parsed: h.head - h.accepted, served: h.replied - h.head, read: f.ackedAt - h.replied }];
});
const ofJoined = (k: 'queued' | 'parsed' | 'served' | 'read') => spread(spreadOf(sorted(joined.map((j) => j[k]))));
console.log(
  `    each first batch's path (${fmt(joined.length)} joined by address): written → accepted by the hub (the kernel's accept queue) ${ofJoined('queued')}; → its head parsed ${ofJoined('parsed')}; → replied ${ofJoined('served')}; → the ack read by its sender ${ofJoined('read')}`,
);
const labels: string[] = [];
const labelOf = (l: string) => (labels.includes(l) ? labels.indexOf(l) : labels.push(l) - 1);
const second = (s: PhaseSecond, i: number) =>
  `    ${String(i).padStart(2)} s: ${s.uplinks} uplinks (${s.fresh} first on their connection), ${s.accepted} accepted, loop busy ${fmt(s.busy * 100, 0)} %, commits ${Object.entries(
    s.commits,
  )
    .map(([l, c]) => `[${labelOf(l)}] ${c.count} × ${fmt(c.ms / Math.max(1, c.count), 1)} ms`)
    .join(
      ' ',
    )}; verify ${s.verify.count} × ${fmt((s.verify.ms / Math.max(1, s.verify.count)) * 1000, 0)} µs; sign ${s.sign.count}; key objects built ${s.keyObjects.count} (${fmt(s.keyObjects.ms, 1)} ms)`;
/** Per uplink over some seconds: durable commits, their ms, verify ms and key objects built. */
const perUplink = (xs: PhaseSecond[]) => {
  const n = Math.max(
    1,
    xs.reduce((a, s) => a + s.uplinks, 0),
  );
  const commits = xs.flatMap((s) => Object.values(s.commits));
  const c = commits.reduce((a, x) => a + x.count, 0);
  const ms = commits.reduce((a, x) => a + x.ms, 0);
  return `${fmt(n)} uplinks: ${fmt(c / n, 2)} commits an uplink (${fmt((ms / n) * 1000, 0)} µs), verify ${fmt((xs.reduce((a, s) => a + s.verify.ms, 0) / n) * 1000, 0)} µs, ${fmt(xs.reduce((a, s) => a + s.keyObjects.count, 0) / n, 2)} key objects built, loop busy ${fmt((xs.reduce((a, s) => a + s.busy, 0) / Math.max(1, xs.length)) * 100, 0)} %`;
};
const storm = probe.seconds.filter((s) => s.fresh > s.uplinks / 2);
const later = probe.seconds.filter((s, i) => i >= 20 && s.fresh < s.uplinks / 20);
console.log(`    the hub, second by second from the first uplink (the storm: seconds most of whose uplinks opened their connection):`);
for (const [i, s] of probe.seconds.entries()) if (i < 12) console.log(second(s, i));
console.log(`    the storm's seconds (${storm.length}): ${perUplink(storm)}; later seconds (${later.length}): ${perUplink(later)}`);
console.log(`    transactions: ${labels.map((l, i) => `[${i}] ${l}`).join('; ')}`);
console.log(
  `  the hub's event-loop delay ${spread(probe.loopDelayMs)}; ${probe.blockedCount} turns blocked it ≥ 50 ms (longest ${probe.blocked
    .slice(0, 5)
    .map((b) => `${b.ms} ms at ${fmt(b.at / 1000, 1)} s`)
    .join(', ')}); GC pauses ${spread(probe.gcMs)} (${Object.entries(probe.gcMs.byKind)
    .map(([k, v]) => `${k} ${v.count} × ${fmt(v.ms, 0)} ms`)
    .join(', ')})`,
);
if (profiles.length > 0) {
  /** Turns the thread spent mostly on a CPU: the hub's own work, not a wait for a CPU or a system call. */
  const working = named.filter((t) => (t.cpuMs ?? 0) >= t.ms / 2);
  console.log(
    `  what ran in them (${named.length} of the ${probe.blockedCount} in the CPU profiles' windows, ${working.length} of those on a CPU for half their length or more, named here; the others waited for a CPU or in a system call; a turn's name is the innermost of the hub's functions holding half its sampled time, else its top frame): ${turnCauses(
      working,
    )
      .map((c) => `${c.count} × ${c.cause} (${fmt(c.ms)} ms, longest ${fmt(c.longest)})`)
      .join('; ')}`,
  );
  for (const t of named.slice(0, 8)) console.log(`    ${turnLine(t)}`); // the longest, whatever held them
}
console.log(
  `  the hub's main thread was ready to run but waited for a CPU (other processes on both) ${fmt((waited / wall) * 1000, 0)} ms a second, ${fmt((waited / Math.max(s1.cpu - s0.cpu, 1e-9)) * 100, 0)} % of the hub's CPU time`,
);
console.log(`  the senders' event-loop delay ${spread(sent.loopDelayMs)} (their process ${fmt(sent.cpuShare * 100, 1)} % of a core)`);
console.log(
  `  RSS: ${shown.map((s) => `${fmt(s.at)} s ${mb(s.rss)}`).join(', ')} MB; slope over the second half ${fmt(slope, 2)} MB/min (${slope < 1 ? 'not growing' : 'GROWING'})`,
);
console.log(
  `  each minute inside the hub: at s, uplinks, service p50/p99 ms, RSS, V8 heap used${values['heap-snapshots'] === undefined ? '' : ' (after a full collection)'} / reserved, external (of it array buffers), malloced MB; fdatasyncs, their p50/p99 ms; MB written`,
);
for (const m of probe.minutes)
  console.log(
    `    ${fmt(m.at)} s: ${fmt(m.uplinks)} uplinks, ${fmt(m.p50, 1)}/${fmt(m.p99, 1)} ms, RSS ${fmt(m.rss, 0)}, heap ${fmt(m.heapUsed, 0)} / ${fmt(m.heapTotal, 0)}, external ${fmt(m.external, 0)} (${fmt(m.arrayBuffers, 0)}), malloced ${fmt(m.malloced, 1)}; ${fmt(m.syncs)} syncs ${fmt(m.syncP50, 1)}/${fmt(m.syncP99, 1)} ms; ${fmt(m.writtenMB, 0)} MB written; ${fmt(m.splitCount)} replies after a sync begun after their head, p50 ms: to the sync ${fmt(m.beforeSyncP50, 1)}, in it ${fmt(m.inSyncP50, 1)}, after it ${fmt(m.afterSyncP50, 1)}`,
  );
for (const [window, statements] of Object.entries(probe.sqlTimes))
  console.log(
    `  SQL in the hub from ${window} s (--profile-windows), most time first: ${Object.entries(statements)
      .slice(0, 6)
      .map(([sql, x]) => `${sql.slice(0, 60)}… ${fmt(x.calls)} × ${fmt(x.ms / x.calls, 2)} ms`)
      .join('; ')}`,
  );
console.log(
  `  the disk's 4-KB write + fdatasync (this process, same disk) each minute of the soak, p50/p99 ms: ${disk
    .map((xs) => {
      const d = [...xs].sort((a, b) => a - b);
      return `${fmt(d[Math.floor(d.length / 2)], 1)}/${fmt(d[Math.min(d.length - 1, Math.floor(d.length * 0.99))], 1)}`;
    })
    .join(', ')}`,
);
console.log(`  WAL: largest ${mb(Math.max(...samples.map((s) => s.wal)))} MB, at the end ${mb(samples.at(-1)?.wal ?? 0)} MB`);
// What the storage takes, not what the cartridge keeps: every commit writes whole 4-KB pages to the WAL and each checkpoint
// copies them again, so an SD card's wear (and a slow card's time) follows this figure, not the store's growth.
const steadyMinutes = probe.minutes.slice(1);
const steadyEvents = steadyMinutes.reduce((n, m) => n + m.uplinks, 0) * (stored / Math.max(1, sent.latencies.length));
const steadyWritten = steadyMinutes.reduce((n, m) => n + m.writtenMB, 0) * 1e6;
if (steadyMinutes.length > 0 && steadyEvents > 0)
  console.log(
    `  written to storage by the hub after the first minute (its /proc io, the checkpoint thread's included): ${fmt(steadyWritten / steadyMinutes.length / 1e6, 0)} MB a minute, ${fmt(steadyWritten / steadyEvents / 1000, 1)} KB per stored event (${fmt(steadyWritten / steadyEvents / Math.max(1, bytesPerEvent), 0)}× what the event keeps in the cartridge), ${fmt(((steadyWritten / steadyMinutes.length) * 1440) / 1e12, 2)} TB a day at this rate`,
  );
console.log(
  `  store: ${fmt(bytesPerEvent, 0)} B per stored event (pages used in fazt.db and its WAL; files at the end ${mb(files.db)} + ${mb(files.wal)} MB); a node of this mix makes ${fmt(perNodeDay)} events a day by its schedule (${fmt((stored / count / wall) * 86_400)} at this run's rate): ${mb(bytesPerEvent * perNodeDay)} MB per node per day (a 1-s node: ${mb(bytesPerEvent * 86_400)} MB)`,
);
console.log(
  pi4 === undefined
    ? '  Raspberry Pi 4: no estimate (sysbench is not installed: apt install sysbench)'
    : `  Raspberry Pi 4 (estimate: this machine's core ${fmt(pi4, 2)}× a Pi 4's in sysbench's CPU test): ${fmt(share * pi4 * 100, 0)} % of one core${rate && count >= 1000 ? `; goal at 1,000 nodes < 25 %: ${share * pi4 < 0.25 ? 'met' : 'NOT met'}` : ''}`,
);
if (rate && count >= 1000)
  console.log(
    `  goal here: < 25 % of one core ${share < 0.25 ? 'met' : 'NOT met'}, ack p99 < 50 ms ${pct(99) < 50 ? 'met' : 'NOT met'} (after the first ${fmt(warmupMs / 1000)} s: ${pctOf(steady, 99) < 50 ? 'met' : 'NOT met'})`,
  );
console.log(`  load average at the end ${load.map((x) => x.toFixed(2)).join(' ')}`);
