/**
 * bench/start: what `fazt start` (the demo behind `npm start`) costs on a small hub.
 * It runs the built CLI (dist/fazt.js, as `npm start` does) and measures, for real:
 *  - resident memory of the whole process tree (the hub process and its XS
 *    workers), summed from /proc/<pid>/status every 50 ms: peak and settled;
 *  - the time from spawning the process to the first reading line it prints,
 *    and to every node's first reading;
 * beside the bare hub (`fazt hub`, no nodes) measured in the same run: its tree's
 * memory and its time to "listening". Then the demo with no data and no cached XS
 * image (bundled and evaluated once, node_modules/.cache/fazt-xs: `npm run build`
 * makes it, so a new user's first start has it; removed here for the worst case)
 * and a restart of it (the nodes' keys and chains kept, the image cached). With
 * each, the CPU time its process tree used until every node's readings showed
 * (the machine's load average is printed: the wall times depend on it). Last, a random walk of the demo evaluated at
 * today's date against the same walk near its start (signals are O(1) in memory
 * and O(log steps) in time). Goals for a Raspberry Pi: < 250 MB, readings within
 * 2 s. Then the bare hub started again and again (each killed with SIGKILL once
 * it listens) on a cartridge as full as test/hub/crash.test.ts lets its cartridge
 * grow (its 3 senders stop at 4,000 readings a node; stored through the hub's
 * uplink, so its percepts are stored too): the median time to "listening" and the
 * CPU time until then, beside the same hub on an empty cartridge. Prints figures;
 * never gates on a time.
 *
 * Usage: node --import tsx bench/start.ts [--duration 20s]   (after npm run build)
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { batchToValue, createBatch } from '../firmware/batch/batch.js';
import { encodeCbor } from '../firmware/codec/cbor-encode.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { parseDuration } from '../host/duration.js';
import { Cartridge } from '../host/store/cartridge.js';
import { randomWalk } from '../sim/environment/signals.js';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/fazt.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
const durArg = process.argv.indexOf('--duration');
const durationMs = parseDuration(durArg > 0 ? process.argv[durArg + 1] : '20s', '--duration');
const RESTARTS = 9;

interface TreeSample {
  /** Sum of the processes' resident sets (shared pages counted in each). */
  totalKb: number;
  /** Sum of their proportional sets (shared pages split): what the tree really holds. */
  pssKb: number;
  /** CPU time the tree has used (user + system, with its reaped children). */
  cpuMs: number;
  processes: { pid: number; name: string; kb: number; pss: number }[];
}

/** RSS of `pid` and all its descendants, from /proc (Linux). */
function treeRss(pid: number): TreeSample {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // the process ended between readdir and read
    }
  }
  const processes: TreeSample['processes'] = [];
  let ticks = 0;
  const visit = (p: number): void => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'latin1');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const pss = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'latin1'))?.[1] ?? 0);
      processes.push({ pid: p, name: /Name:\s+(\S+)/.exec(status)?.[1] ?? '?', kb, pss });
      const stat = readFileSync(`/proc/${p}/stat`, 'latin1').slice(0);
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return {
    totalKb: processes.reduce((a, p) => a + p.kb, 0),
    pssKb: processes.reduce((a, p) => a + p.pss, 0),
    cpuMs: (ticks * 1000) / CLOCK_TICKS,
    processes,
  };
}

// USER_HZ: /proc/<pid>/stat counts CPU time in these (100 on Linux).
const CLOCK_TICKS = 100;

interface RunResult {
  peak: TreeSample;
  settled: TreeSample;
  /** ms from spawn to the first line matching `ready`, per key it yields. */
  ready: Map<string, number>;
  /** CPU time of the tree at the first sample after `done` held. */
  cpuAtDone: number | undefined;
  exitCode: number | null;
}

/**
 * Spawns the CLI, samples its tree every 50 ms, timestamps lines for which
 * `ready` returns a key, and stops it (SIGINT) after `stopAfterMs` unless it ends first.
 */
function measure(
  args: string[],
  ready: (line: string) => string | undefined,
  stopAfterMs: number,
  done: (seen: Map<string, number>) => boolean = () => false,
): Promise<RunResult> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = new Map<string, number>();
  let peak: TreeSample = { totalKb: 0, pssKb: 0, cpuMs: 0, processes: [] };
  let cpuAtDone: number | undefined;
  const recent: { at: number; sample: TreeSample }[] = [];
  let partial = '';
  let errText = '';
  child.stdout.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    const at = performance.now() - t0;
    for (const line of lines) {
      const key = ready(line);
      if (key !== undefined && !seen.has(key)) seen.set(key, at);
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    errText += d.toString('utf8');
  });
  const sampler = setInterval(() => {
    const s = treeRss(child.pid as number);
    if (s.totalKb === 0) return;
    recent.push({ at: performance.now(), sample: s });
    if (cpuAtDone === undefined && done(seen)) cpuAtDone = s.cpuMs;
    if (recent.length > 200) recent.shift();
    if (s.totalKb > peak.totalKb) peak = s;
  }, 50);
  const stopper = setTimeout(() => child.kill('SIGINT'), stopAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(stopper);
      if (code !== 0) process.stderr.write(`fazt ${args[0]} exited ${code}: ${errText}\n`);
      // Settled: as it ran before it was stopped (1.5 s before it exited).
      const end = performance.now() - 1500;
      const settled = recent.filter((x) => x.at <= end).pop()?.sample ?? peak;
      resolve({ peak, settled, ready: seen, cpuAtDone, exitCode: code });
    });
  });
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
const s = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(2)} s`);
const breakdown = (t: TreeSample) => {
  const byName = new Map<string, { n: number; kb: number }>();
  for (const p of t.processes) {
    const e = byName.get(p.name) ?? { n: 0, kb: 0 };
    byName.set(p.name, { n: e.n + 1, kb: e.kb + p.kb });
  }
  return [...byName].map(([name, e]) => `${e.n > 1 ? `${e.n}× ` : ''}${name} ${mb(e.kb)}`).join(', ');
};

// A reading line of `fazt start`: "HH:MM:SS <node> <name value unit, …> | seq …" (not "starting…").
const readingLine = (line: string): string | undefined => {
  if (/ listening on /.test(line)) return 'hub';
  if (/^live readings below/.test(line)) return 'nodes';
  const m = /^\d\d:\d\d:\d\d (\S+)\s+(.*) \| seq /.exec(line);
  return m && m[2] !== 'starting…' ? `reading:${m[1]}` : undefined;
};

const allNodes = (seen: Map<string, number>) => [...seen.keys()].filter((k) => k.startsWith('reading:')).length === 3;
const data = mkdtempSync(join(tmpdir(), 'fazt-bench-start-'));
try {
  console.log(`bench/start: \`fazt start\` (hub + 3 simulated nodes, firmware in XS) vs the bare hub, ${durationMs / 1000} s each`);
  console.log(`  ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)} at the start`);
  const hub = await measure(['hub', '--data', join(data, 'hub'), '--listen', '127.0.0.1:0'], (l) => (/ listening on /.test(l) ? 'up' : undefined), 5000);
  const hubUp = hub.ready.get('up');
  console.log(
    `  baseline, bare hub: listening after ${s(hubUp)}; ${mb(hub.peak.totalKb)} peak, ${mb(hub.settled.totalKb)} settled (${breakdown(hub.settled)})`,
  );

  for (const label of ['first start (no data, no cached XS image)', 'restart']) {
    if (label !== 'restart') rmSync(join(root, 'node_modules/.cache/fazt-xs'), { recursive: true, force: true });
    const args = ['start', '--data', join(data, 'demo'), '--listen', '127.0.0.1:0', '--duration', `${durationMs / 1000}s`];
    const r = await measure(args, readingLine, durationMs + 30_000, allNodes);
    const firsts = [...r.ready].filter(([k]) => k.startsWith('reading:')).map(([, ms]) => ms);
    const first = firsts.length ? Math.min(...firsts) : undefined;
    const all = firsts.length === 3 ? Math.max(...firsts) : undefined;
    const each = [...r.ready].filter(([k]) => k.startsWith('reading:')).map(([k, ms]) => `${k.slice('reading:'.length)} ${s(ms)}`);
    console.log(
      `  npm start, ${label}: first reading after ${s(first)}, all 3 nodes' after ${s(all)} (${each.join(', ')}; hub listening after ${s(r.ready.get('hub'))}, nodes running after ${s(r.ready.get('nodes'))})`,
    );
    console.log(
      `    memory of the process tree (RSS summed): ${mb(r.peak.totalKb)} peak (${breakdown(r.peak)}); ${mb(r.settled.totalKb)} settled (${breakdown(r.settled)})`,
    );
    console.log(`    CPU time of the process tree until every node's readings showed: ${s(r.cpuAtDone)}`);
    console.log(`    proportional (PSS, shared pages split): ${mb(r.peak.pssKb)} peak, ${mb(r.settled.pssKb)} settled`);
    console.log(
      `    ratio to the bare hub: ${(r.peak.totalKb / hub.peak.totalKb).toFixed(2)}× the memory, first reading at ${first && hubUp ? (first / hubUp).toFixed(2) : '?'}× its start-up time`,
    );
    console.log(
      `    goals (< 250 MB, readings within 2 s): ${r.peak.totalKb < 250 * 1024 ? 'met' : 'NOT met'}, ${all !== undefined && all <= 2000 ? 'met' : 'NOT met'}`,
    );
  }

  // The bare hub restarted on a filled cartridge (as full as the crash test's may grow), against an empty one.
  const filled = join(data, 'filled');
  await fillLikeCrashTest(filled);
  const empty = join(data, 'empty');
  const emptyStarts = await restarts(empty);
  const filledStarts = await restarts(filled);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const line = (label: string, r: { wall: number[]; cpu: number[] }) =>
    `${label}: listening after ${s(med(r.wall))} (median of ${RESTARTS}), ${s(med(r.cpu))} of CPU`;
  console.log(`  ${line('the bare hub restarted on an empty cartridge (baseline)', emptyStarts)}`);
  console.log(`  ${line("on a cartridge as full as the crash test's may grow (3 nodes × 4,000 readings)", filledStarts)}`);
  console.log(`    ratio to the baseline: ${(med(filledStarts.wall) / med(emptyStarts.wall)).toFixed(2)}× the time to listen`);

  // A demo walk (a step a minute) at today's date (~30 M steps from 1970) against near its start.
  const timeEval = (t: number): number => {
    const n = 20_000;
    const walk = randomWalk(1, 0, 0.05, 60_000, -0.6, 0.6);
    let x = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) x += walk(t + i * 60_000); // a new step each time: no memo helps
    if (Number.isNaN(x)) throw new Error('unreachable');
    return ((performance.now() - t0) * 1000) / n;
  };
  timeEval(0); // warm up
  const near = timeEval(0);
  const today = timeEval(Date.now());
  console.log(
    `  a demo random walk: ${today.toFixed(2)} µs an evaluation at today's date (step ~${Math.round(Date.now() / 60_000).toLocaleString('en-US')}), ${near.toFixed(2)} µs near its start: ${(today / near).toFixed(2)}×`,
  );
} finally {
  rmSync(data, { recursive: true, force: true });
}

/** 3 nodes' 4,000 readings each (the crash test's cap), sent through a hub's uplink in batches of 32 as its senders do. */
async function fillLikeCrashTest(dir: string): Promise<void> {
  const nodes = [61, 62, 63].map((seed) => {
    const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
    const clock = { t: Date.UTC(2026, 0, 1) };
    return { identity, clock, log: new EventLog({ nodeId: identity.id, crypto: nodeCrypto, clock: () => clock.t }) };
  });
  mkdirSync(dir, { recursive: true });
  const setup = Cartridge.open(join(dir, 'fazt.db'));
  for (const n of nodes) setup.addNode(n.identity.publicKey);
  setup.close();
  // The hub's op log (stderr) is left out: a line per node first seen is no figure.
  const child = spawn(process.execPath, [cli, 'hub', '--data', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await send(child, nodes);
  } finally {
    child.kill('SIGINT'); // also when a send failed: no hub is left running
    await exited;
  }
}

/** Each node's 125 batches of 32 readings, through the uplink of the hub `child` runs. */
async function send(child: ChildProcessByStdio<null, Readable, null>, nodes: { identity: NodeIdentity; clock: { t: number }; log: EventLog }[]): Promise<void> {
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the hub exited (${code}) before it listened`)));
  });
  for (const n of nodes) {
    for (let b = 0; b < 125; b++) {
      const entries = Array.from({ length: 32 }, (_, i) => {
        n.clock.t += 1000; // a reading a second, as the crash test's nodes
        const value = 20 + ((b * 32 + i) % 50) / 10;
        return n.log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value, quality: 'good', time: n.clock.t });
      });
      const res = await fetch(`${url}/v1/uplink`, {
        method: 'POST',
        body: encodeCbor(batchToValue(createBatch(entries, n.identity, nodeCrypto))),
        headers: { 'content-type': 'application/cbor' },
      });
      if (res.status !== 200) throw new Error(`uplink refused: ${res.status} ${await res.text()}`);
    }
  }
}

/** RESTARTS starts of the bare hub on `dir`, each killed with SIGKILL once it listens (as the crash test does): wall time to "listening" and its CPU time until then. */
async function restarts(dir: string): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'hub', '--data', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        if (!/ listening on /.test(out)) return;
        wall.push(performance.now() - t0);
        cpu.push(treeRss(child.pid as number).cpuMs);
        resolve();
      });
      child.on('exit', (code) => reject(new Error(`start ${i + 1} on ${dir}: the hub exited (${code}) before it listened`)));
    });
    child.kill('SIGKILL');
    await exited;
  }
  return { wall, cpu };
}
