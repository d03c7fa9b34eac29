/**
 * bench/mesh-page-in: the pulling side of a mesh sync without its HTTP, in
 * CPU time (process.cpuUsage), which other work on a shared machine does
 * not inflate as it does wall time. A hub here holds 100,000 readings of 8
 * simulated nodes (signed batches of 32) and cuts them into the pages a
 * peer would be sent (MeshStore.pageOut, about 2,048 entries each); each run
 * is a child process where a fresh, started hub stores them all through
 * MeshStore.pageIn (bench/mesh-page-in-run.ts), every check made.
 *
 * `--baseline <dir>`: a checkout of another tree (say the commit before a
 * change, `git archive <commit> | tar -x -C <dir>`, node_modules linked):
 * runs alternate between it and this tree, and the figure is printed with
 * the ratio of the medians. `--runs N` (default 3) each; `--quick`: 10,000
 * events. Prints figures, never gates CI.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import { Hub } from '../host/hub/hub.js';
import { BenchNode, enrol, pagesOf } from './mesh-fixtures.js';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const QUICK = argv.includes('--quick');
const NODES = 8;
const EVENTS = QUICK ? 10_000 : 100_000;
const PAGE = 2048;
const RUNS = Number(option('--runs') ?? 3);
const baseline = option('--baseline');
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-page-in-'));
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The pages, cut once with this tree and stored by every run.
const server = new Hub({ dataDir: join(dir, 'server'), host: '127.0.0.1', port: 0, log: () => undefined });
await server.start();
const nodes = Array.from({ length: NODES }, (_, i) => new BenchNode(i + 1));
enrol([server], nodes);
for (const n of nodes) n.write(server, EVENTS / NODES);
const pages = pagesOf(server, nodes, PAGE);
const pagesFile = join(dir, 'pages.bin');
writeFileSync(pagesFile, serialize({ nodes: NODES, serverKey: server.publicKey, pages }));
await server.stop();
const bytes = pages.reduce((n, p) => n + p.bytes.length, 0);
console.log(`mesh-page-in: ${fmt(EVENTS)} events of ${NODES} nodes in ${pages.length} pages (${fmt(bytes / EVENTS, 1)} bytes/event)`);

const runOnce = (root: string, k: number): number => {
  const out = execFileSync(process.execPath, [...process.execArgv, join(here, 'bench/mesh-page-in-run.ts'), root, pagesFile, join(dir, `run-${k}`)], {
    encoding: 'utf8',
  });
  const r = JSON.parse(out.trim().split('\n').pop() as string) as { cpuMs: number; stored: number };
  if (r.stored !== EVENTS) throw new Error(`a run in ${root} stored ${r.stored} of ${EVENTS} events`);
  return r.cpuMs;
};
const trees = baseline
  ? [
      { name: 'baseline', root: resolve(baseline) },
      { name: 'this tree', root: here },
    ]
  : [{ name: 'this tree', root: here }];
const cpu = new Map<string, number[]>(trees.map((t) => [t.name, []]));
let k = 0;
for (let r = 0; r < RUNS; r++)
  for (const t of trees) {
    const ms = runOnce(t.root, k++);
    cpu.get(t.name)?.push(ms);
    console.log(
      `mesh-page-in: ${t.name} run ${r + 1}: ${fmt(ms)} ms of CPU, ${fmt((ms * 1000) / EVENTS, 1)} µs/event (load average ${loadavg()[0].toFixed(1)})`,
    );
  }
for (const t of trees) {
  const m = median(cpu.get(t.name) ?? []);
  console.log(`mesh-page-in: ${t.name}: median ${fmt(m)} ms of CPU for ${fmt(EVENTS)} events, ${fmt((m * 1000) / EVENTS, 1)} µs/event`);
}
if (baseline) {
  const ratio = median(cpu.get('this tree') ?? []) / median(cpu.get('baseline') ?? []);
  console.log(`mesh-page-in: this tree ÷ baseline = ${ratio.toFixed(3)}× CPU time`);
}
rmSync(dir, { recursive: true, force: true });
