/**
 * bench/cli-start: the CPU one `fazt` invocation costs before it does anything
 * (`fazt --help`, and `fazt boards`, a command that reads a little and prints).
 * The built CLI (dist/fazt.js) imports the MCP SDK, zod, mqtt and the NATS
 * client only where they are used; the baseline, run in the same script, is
 * the same bundle with those packages imported at start (`node --import`
 * each), which is what every invocation paid before. Bare `node -e 0` is the
 * floor. Each figure is the median over --runs starts, the process's own CPU
 * (user + system, process.cpuUsage() at exit, so the machine's load moves it
 * little) and its wall time.
 *
 * Usage: node --import tsx bench/cli-start.ts [--runs 15]   (after npm run build)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/fazt.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 15);
if (!Number.isSafeInteger(RUNS) || RUNS < 1) throw new RangeError(`--runs must be a whole number of at least 1, not ${values.runs}`);

/** What the bundle imported at start before they moved to where they are used. */
const EAGER = [
  '@modelcontextprotocol/sdk/client/streamableHttp.js',
  '@modelcontextprotocol/sdk/server/mcp.js',
  '@modelcontextprotocol/sdk/server/stdio.js',
  '@modelcontextprotocol/sdk/server/streamableHttp.js',
  '@modelcontextprotocol/sdk/types.js',
  'zod',
  'mqtt',
  '@nats-io/jetstream',
  '@nats-io/transport-node',
];
/** Loaded first in every child: writes the process's CPU time to fd 3 as it exits. */
const CPU_AT_EXIT = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, String((u.user + u.system) / 1000)); });",
)}`;

interface Start {
  cpuMs: number;
  wallMs: number;
}

function start(nodeArgs: string[]): Start {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_AT_EXIT, ...nodeArgs], { cwd: root, stdio: ['ignore', 'ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${nodeArgs.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr?.toString()}`);
  return { cpuMs: Number(r.output[3]?.toString()), wallMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const eager = EAGER.flatMap((p) => ['--import', p]);
const cases = [
  { what: 'fazt --help', args: ['--help'] },
  { what: 'fazt boards', args: ['boards'] },
];

console.log(`bench/cli-start: median of ${RUNS} starts each (load average ${loadavg()[0].toFixed(2)})`);
const floor: Start[] = [];
for (let i = 0; i < RUNS; i++) floor.push(start(['-e', '0']));
console.log(
  `  node -e 0 (the floor)         cpu ${median(floor.map((s) => s.cpuMs)).toFixed(0)} ms   wall ${median(floor.map((s) => s.wallMs)).toFixed(0)} ms`,
);
for (const c of cases) {
  const lazy: Start[] = [];
  const before: Start[] = [];
  // Interleaved, so a change in the machine's load falls on both alike.
  for (let i = 0; i < RUNS; i++) {
    lazy.push(start([cli, ...c.args]));
    before.push(start([...eager, cli, ...c.args]));
  }
  const [lc, bc] = [median(lazy.map((s) => s.cpuMs)), median(before.map((s) => s.cpuMs))];
  const [lw, bw] = [median(lazy.map((s) => s.wallMs)), median(before.map((s) => s.wallMs))];
  console.log(
    `  ${c.what.padEnd(14)} cpu ${lc.toFixed(0)} ms (packages at start: ${bc.toFixed(0)} ms, ${(bc / lc).toFixed(2)}x)   wall ${lw.toFixed(0)} ms (${bw.toFixed(0)} ms, ${(bw / lw).toFixed(2)}x)`,
  );
}
