/**
 * bench/mesh: the native mesh protocol (host/mesh/) on loopback.
 *
 *  - Initial sync: a serving hub in a child process (bench/mesh-server.ts)
 *    holds 100,000 readings of 8 simulated nodes, stored as the nodes uplink
 *    them (signed batches of 32); the hub in this process pulls them in one
 *    round (every entry hashed and linked, every checkpoint's signature
 *    checked, one transaction per page). Figures: events/s verified and
 *    stored (goal ≥ 50,000/s), beside a raw copy of the same rows between two
 *    SQLite files in the same run (INSERT … SELECT through ATTACH), and bytes
 *    on the wire per event (bodies; the fazt-mesh-* headers separately).
 *  - An idle round once both hold the same: body bytes each way (goal ≤ 100),
 *    headers stated apart; its time with nothing unsynced beside its time
 *    right after an unsynced (percept) commit, which it makes durable first.
 *  - Convergence: three hubs in this process, one cut off while 10,000
 *    events are written to the other two, then healed: time until all three
 *    hold identical heads (rounds of every hub against every other).
 *
 * `--runs N` (default 3): the initial sync timed again N times, each by a
 * fresh hub in its own process (bench/mesh-pull-run.ts), its wall and CPU
 * time the figures (other work on a shared machine inflates wall time more);
 * `--baseline <dir>`: a checkout of another tree (`git worktree add <dir>
 * <commit>`, node_modules linked) whose runs alternate with this tree's, the
 * medians compared. `--quick`: 10,000 events for the initial sync and 2,000 for convergence.
 * Prints figures, never gates CI.
 */
import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesEqual } from '../firmware/event/verify-chain.js';
import { Hub } from '../host/hub/hub.js';
import { keepAlivePost, type MeshPost } from '../host/mesh/mesh-post.js';
import { BenchNode, enrol } from './mesh-fixtures.js';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const QUICK = argv.includes('--quick');
const RUNS = Number(option('--runs') ?? 3);
// Checked before the serving child starts: a bad count failed later and left that child running.
if (!Number.isSafeInteger(RUNS) || RUNS < 1) throw new RangeError(`--runs must be a whole number from 1, got ${option('--runs')}`);
const baseline = option('--baseline');
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODES = 8;
const EVENTS = QUICK ? 10_000 : 100_000;
const PARTITION_EVENTS = QUICK ? 2_000 : 10_000;

const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-mesh-'));
const silent = { log: () => undefined };

/** fazt-mesh-* header bytes each way ("name: value\r\n"), counted by wrapping the rounds' transport (one keep-alive pool for the bench). */
const headerBytes = { out: 0, in: 0 };
const meshHeaderLength = (hs: Record<string, string | string[] | undefined>): number => {
  let n = 0;
  for (const [k, v] of Object.entries(hs)) if (typeof v === 'string' && k.toLowerCase().startsWith('fazt-mesh-')) n += k.length + v.length + 4;
  return n;
};
const transport = keepAlivePost('server');
const countingPost: MeshPost = async (url, init) => {
  headerBytes.out += meshHeaderLength(init.headers);
  const res = await transport.post(url, init);
  headerBytes.in += meshHeaderLength(res.headers);
  return res;
};
const resetHeaders = () => Object.assign(headerBytes, { out: 0, in: 0 });

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sinceMs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

// ---- initial sync, two processes ----
const puller = new Hub({ dataDir: join(dir, 'puller'), host: '127.0.0.1', port: 0, ...silent, mesh: { round: { post: countingPost } } });
const { url: pullerUrl } = await puller.start();
const server = fork(new URL('./mesh-server.ts', import.meta.url).pathname, {
  // --cpu-prof given to this process profiles the server too.
  execArgv: [...process.execArgv.filter((a) => a.startsWith('--cpu-prof')), '--import', 'tsx'],
  stdio: 'inherit',
});
const reply = <T>(): Promise<T> => new Promise((resolve) => server.once('message', (m) => resolve(m as T)));
const t0Fill = process.hrtime.bigint();
server.send({ setup: { dataDir: join(dir, 'server'), nodes: NODES, perNode: EVENTS / NODES, peer: { publicKey: [...puller.publicKey], url: pullerUrl } } });
const served = await reply<{ url: string; publicKey: number[]; file: string }>();
console.log(`mesh: serving hub filled with ${fmt(EVENTS)} events of ${NODES} nodes in ${fmt(sinceMs(t0Fill) / 1000, 1)} s (child process)`);
enrol(
  [puller],
  Array.from({ length: NODES }, (_, i) => new BenchNode(i + 1)),
);
const peer = puller.mesh.store.peers.add({ publicKey: new Uint8Array(served.publicKey), name: 'server', url: served.url }, Date.now());

// The timed runs: a fresh pulling hub each, in its own process, trees alternated.
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const trees = [...(baseline ? [{ name: 'baseline', root: resolve(baseline) }] : []), { name: 'this tree', root: here }];
const runCpu = new Map<string, number[]>(trees.map((t) => [t.name, []]));
const runWall = new Map<string, number[]>(trees.map((t) => [t.name, []]));
/** The pulling process's main thread alone (a worker thread's CPU is the rest of runCpu): what bounds the rate of one chain's pages. */
const runMainCpu = new Map<string, number[]>(trees.map((t) => [t.name, []]));
/** Wall less the time the pulling thread waited for a CPU (other work on the machine): what the code itself waited for is left, the peer and I/O. */
const runOwnWall = new Map<string, number[]>(trees.map((t) => [t.name, []]));
const runOnce = async (root: string, k: number): Promise<{ cpuMs: number; mainCpuMs: number; wallMs: number; waitedMs: number }> => {
  const run = fork(
    join(here, 'bench/mesh-pull-run.ts'),
    [root, join(dir, `run-${k}`), served.url, Buffer.from(served.publicKey).toString('hex'), String(NODES)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    },
  );
  const next = <T>(): Promise<T> =>
    new Promise((ok, fail) => {
      run.once('message', (m) => ok(m as T));
      run.once('exit', (code) => fail(new Error(`run ${k} in ${root} exited with ${code}`)));
    });
  const { publicKey } = await next<{ publicKey: number[] }>();
  server.send({ pair: publicKey });
  await reply();
  const done = next<{ cpuMs: number; mainCpuMs: number; wallMs: number; waitedMs: number; stored: number; errors: number }>();
  run.send({ go: true });
  const r = await done;
  if (r.stored !== EVENTS || r.errors > 0) throw new Error(`run ${k} in ${root} stored ${r.stored} of ${EVENTS} events, ${r.errors} chain errors`);
  if (run.exitCode === null) await new Promise((ok) => run.once('exit', ok));
  return r;
};
let k = 0;
for (let r = 0; r < RUNS; r++)
  for (const t of trees) {
    const { cpuMs: ms, mainCpuMs, wallMs, waitedMs } = await runOnce(t.root, k++);
    runCpu.get(t.name)?.push(ms);
    runMainCpu.get(t.name)?.push(mainCpuMs);
    runWall.get(t.name)?.push(wallMs);
    runOwnWall.get(t.name)?.push(wallMs - waitedMs);
    console.log(
      `mesh: initial sync, ${t.name} run ${r + 1}: ${fmt(wallMs)} ms wall (${fmt((EVENTS / wallMs) * 1000)} events/s; ${fmt(waitedMs)} of them waiting for a CPU), the pulling process ${fmt(ms)} ms of CPU, ${fmt((ms * 1000) / EVENTS, 1)} µs/event (its main thread ${fmt((mainCpuMs * 1000) / EVENTS, 1)}) (load average ${loadavg()[0].toFixed(1)})`,
    );
  }
for (const t of trees) {
  const m = median(runCpu.get(t.name) ?? []);
  console.log(
    `mesh: initial sync, ${t.name}: median ${fmt(m)} ms of CPU, ${fmt((m * 1000) / EVENTS, 1)} µs/event, ${fmt((EVENTS / m) * 1000)} events per CPU-second (goal ≥ 50,000)`,
  );
  const main = median(runMainCpu.get(t.name) ?? []);
  console.log(
    `mesh: initial sync, ${t.name}: median ${fmt(main)} ms of CPU on the main thread, ${fmt((main * 1000) / EVENTS, 1)} µs/event, ${fmt((EVENTS / main) * 1000)} events per main-thread CPU-second`,
  );
  const w = median(runWall.get(t.name) ?? []);
  console.log(`mesh: initial sync, ${t.name}: median ${fmt(w)} ms wall, ${fmt((EVENTS / w) * 1000)} events/s verified and stored (goal ≥ 50,000)`);
  const own = median(runOwnWall.get(t.name) ?? []);
  console.log(`mesh: initial sync, ${t.name}: median ${fmt(own)} ms wall less the pulling thread's wait for a CPU, ${fmt((EVENTS / own) * 1000)} events/s`);
}
if (baseline) {
  const ratio = (runs: Map<string, number[]>) => (median(runs.get('this tree') ?? []) / median(runs.get('baseline') ?? [])).toFixed(3);
  console.log(
    `mesh: initial sync, this tree ÷ baseline: CPU ${ratio(runCpu)}× (main thread ${ratio(runMainCpu)}×), wall ${ratio(runWall)}×, wall less the wait for a CPU ${ratio(runOwnWall)}×`,
  );
}

// The serving process's CPU counted from here: the timed runs' pulls are not this one's.
server.send({ cpu: true });
await reply();
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const first = await puller.mesh.round(peer);
const syncMs = sinceMs(t0);
const cpu = process.cpuUsage(cpu0);
const syncCpuMs = (cpu.user + cpu.system) / 1000;
if (first.errors.length > 0 || first.stored < EVENTS) throw new Error(`initial sync failed: ${JSON.stringify(first)}`);
const perSec = (first.stored / syncMs) * 1000;
const perCpuSec = (first.stored / syncCpuMs) * 1000;
const wire = first.bytesIn + first.bytesOut;
console.log(
  `mesh: initial sync ${fmt(first.stored)} events in ${fmt(syncMs)} ms, ${first.pages} pages: ${fmt(perSec)} events/s verified and stored (goal ≥ 50,000)`,
);
// On a shared machine wall time waits for other processes too; the pulling process's own CPU time does not.
server.send({ cpu: true });
const { cpuMs: serverCpuMs } = await reply<{ cpuMs: number }>();
console.log(
  `mesh: CPU time: the pulling process ${fmt(syncCpuMs)} ms (${fmt(perCpuSec)} events per CPU-second), the serving process ${fmt(serverCpuMs)} ms (the pull is pipelined: both work at once)`,
);
console.log(
  `mesh: on the wire ${fmt(wire / first.stored, 1)} body bytes/event (${fmt(first.bytesIn)} in, ${fmt(first.bytesOut)} out), ` +
    `+ ${fmt((headerBytes.in + headerBytes.out) / first.stored, 2)} fazt-mesh-* header bytes/event`,
);

// The baseline: the same rows copied between two SQLite files, in one transaction.
const rawFile = join(dir, 'raw.db');
const raw = new Database(rawFile);
raw.pragma('journal_mode = WAL');
raw.exec(`ATTACH '${served.file}' AS src`);
const tables = ['node_refs', 'names', 'entries', 'checkpoints'];
const schema = raw.prepare("SELECT sql FROM src.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type = 'index'").pluck();
for (const t of tables) for (const sql of schema.all(t) as string[]) raw.exec(sql);
const t0Raw = process.hrtime.bigint();
const cpu0Raw = process.cpuUsage();
raw.transaction(() => {
  for (const t of tables) raw.exec(`INSERT INTO main.${t} SELECT * FROM src.${t}`);
})();
const rawMs = sinceMs(t0Raw);
const cpuRaw = process.cpuUsage(cpu0Raw);
const rawCpuMs = (cpuRaw.user + cpuRaw.system) / 1000;
const rawRows = raw.prepare('SELECT count(*) FROM main.entries').pluck().get() as number;
raw.close();
const rawPerSec = (rawRows / rawMs) * 1000;
console.log(
  `mesh: raw copy of the same rows (${tables.join(', ')}) between two SQLite files: ${fmt(rawRows)} entries in ${fmt(rawMs)} ms, ${fmt(rawPerSec)} events/s`,
);
console.log(
  `mesh: initial sync ÷ raw copy = ${(perSec / rawPerSec).toFixed(3)}× (wall), ${(perCpuSec / ((rawRows / rawCpuMs) * 1000)).toFixed(3)}× (CPU time)`,
);

// Idle: the server pulls the puller's own chain, then both hold the same.
server.send({ pull: true });
await reply();
resetHeaders();
const idle = await puller.mesh.round(peer);
if (!idle.idle) throw new Error(`the round after both synced was not idle: ${JSON.stringify(idle)}`);
console.log(
  `mesh: idle round ${idle.bytesOut} body bytes out, ${idle.bytesIn} in (goal ≤ 100 each way); fazt-mesh-* headers ${headerBytes.out} out, ${headerBytes.in} in`,
);
// Idle rounds' time: with nothing unsynced, and right after an unsynced commit (a percept's, Cartridge.derived), which
// the round makes durable (one synced commit, one fsync) before it tells the peer its heads. Alternated, medians compared.
puller.cartridge.db.exec('CREATE TABLE IF NOT EXISTS bench_unsynced (x INTEGER)');
const IDLE_ROUNDS = QUICK ? 15 : 40;
const idleMs: Record<'synced' | 'unsynced', number[]> = { synced: [], unsynced: [] };
for (let i = 0; i < IDLE_ROUNDS; i++)
  for (const kind of ['synced', 'unsynced'] as const) {
    puller.cartridge.durable();
    if (kind === 'unsynced') puller.cartridge.derived(() => puller.cartridge.db.prepare('INSERT INTO bench_unsynced (x) VALUES (?)').run(i));
    const t0Idle = process.hrtime.bigint();
    const r = await puller.mesh.round(peer);
    idleMs[kind].push(sinceMs(t0Idle));
    if (!r.idle || puller.cartridge.unsyncedPending) throw new Error(`idle round ${i} (${kind}): ${JSON.stringify(r)}`);
  }
const idleSynced = median(idleMs.synced);
const idleUnsynced = median(idleMs.unsynced);
console.log(
  `mesh: idle round ${fmt(idleSynced, 2)} ms with nothing unsynced (what every round cost before durable()), ${fmt(idleUnsynced, 2)} ms after an unsynced commit (the round syncs it first): ${(idleUnsynced / idleSynced).toFixed(2)}× (medians of ${IDLE_ROUNDS} each, alternated)`,
);
server.send({ stop: true });
await new Promise((resolve) => server.once('exit', resolve));
await puller.stop();
transport.close();

// ---- convergence after a partition, three hubs in this process ----
const hubs = await Promise.all(
  ['a', 'b', 'c'].map(async (name) => {
    const h = new Hub({ dataDir: join(dir, name), host: '127.0.0.1', port: 0, ...silent });
    return { hub: h, url: (await h.start()).url };
  }),
);
for (const x of hubs) for (const y of hubs) if (x !== y) x.hub.mesh.store.peers.add({ publicKey: y.hub.publicKey, name: 'peer', url: y.url }, Date.now());
const writers = [new BenchNode(101), new BenchNode(102)];
enrol(
  hubs.map((x) => x.hub),
  writers,
);
const [a, b, c] = hubs.map((x) => x.hub);
/** One round of every hub against every other (what --mesh does every interval); the rounds run one after another. */
const everyRound = async (among: readonly Hub[]) => {
  for (const x of among) for (const p of x.mesh.store.peers.list()) if (among.some((y) => y.mesh.id === p.hub)) await x.mesh.round(p);
};
const heads = (h: Hub) => h.mesh.store.heads.list();
const sameHeads = (x: Hub, y: Hub) => {
  const hx = heads(x);
  const hy = heads(y);
  return hx.length === hy.length && hx.every((h, i) => h.node === hy[i].node && h.seq === hy[i].seq && bytesEqual(h.hash, hy[i].hash));
};
await everyRound([a, b, c]);
// Partition: C is cut off; nodes keep uplinking to A and B, which keep syncing with each other.
writers[0].write(a, PARTITION_EVENTS / 2);
writers[1].write(b, PARTITION_EVENTS / 2);
await everyRound([a, b]);
const t0Heal = process.hrtime.bigint();
let rounds = 0;
while (!(sameHeads(a, b) && sameHeads(b, c))) {
  await everyRound([a, b, c]);
  rounds++;
}
const healMs = sinceMs(t0Heal);
console.log(
  `mesh: convergence after a partition (3 hubs in one process, ${fmt(PARTITION_EVENTS)} events written while one was cut off): identical heads ${fmt(healMs)} ms after healing (${rounds} round${rounds === 1 ? '' : 's'} of every hub against every other)`,
);
for (const x of hubs) await x.hub.stop();
rmSync(dir, { recursive: true, force: true });
