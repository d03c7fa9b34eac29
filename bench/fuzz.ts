import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { FuzzReport } from './fuzz/fuzz-target.js';
import { targets } from './fuzz/targets.js';

/**
 * npm run fuzz: mutation-based fuzzing (fast-check) of every decoder that
 * reads bytes or documents from outside: no input may throw anything but the
 * target's coded errors, take longer than --per-input-ms, hang (no progress
 * for --hang-ms: the worker is ended), or grow the heap after GC by more than
 * --heap-mb between warm-up and the end. Each target runs in its own worker,
 * one at a time. Inputs that found a bug are written to
 * test/fuzz-corpus/<target>/<sha256>.bin, replayed by test/fuzz/corpus.test.ts.
 *
 *   npm run fuzz -- [--quick] [--runs N] [--target NAME[,NAME]] [--seed S]
 */
interface Args {
  runs: number;
  seed: number;
  names: string[];
  perInputMs: number;
  hangMs: number;
  heapMb: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 1_000_000, seed: Date.now() % 2 ** 31, names: targets.map((t) => t.name), perInputMs: 250, hangMs: 10_000, heapMb: 32 };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isSafeInteger(n) || n < 0) throw new RangeError(`${flag} needs a whole number, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--quick') a.runs = 20_000;
    else if (f === '--runs') a.runs = num(f, argv[++i]);
    else if (f === '--seed') a.seed = num(f, argv[++i]);
    else if (f === '--per-input-ms') a.perInputMs = num(f, argv[++i]);
    else if (f === '--hang-ms') a.hangMs = num(f, argv[++i]);
    else if (f === '--heap-mb') a.heapMb = num(f, argv[++i]);
    else if (f === '--target') {
      a.names = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = a.names.filter((n) => !targets.some((t) => t.name === n));
      if (a.names.length === 0 || unknown.length > 0)
        throw new RangeError(`--target: unknown '${unknown.join(', ')}'; the targets are ${targets.map((t) => t.name).join(', ')}`);
    } else throw new RangeError(`unknown option ${f}: use --quick, --runs N, --target NAME, --seed S, --per-input-ms, --hang-ms, --heap-mb`);
  }
  return a;
}

const corpus = new URL('../test/fuzz-corpus/', import.meta.url);

function keep(target: string, input: Uint8Array): string {
  const dir = new URL(`${target}/`, corpus);
  mkdirSync(dir, { recursive: true });
  const name = `${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`;
  writeFileSync(new URL(name, dir), input);
  return `test/fuzz-corpus/${target}/${name}`;
}

/** Runs one target in a worker; a worker without progress for hangMs is ended and its input kept. */
function runWorker(name: string, a: Args): Promise<FuzzReport | { hang: string }> {
  const shared = new SharedArrayBuffer(8 + 16384);
  const words = new Int32Array(shared, 0, 2);
  // Node 20 gives a worker no loader hooks of its own: tsx is registered in it before the TypeScript entry loads.
  const entry = new URL('./fuzz/fuzz-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, {
    eval: true,
    workerData: { target: name, runs: a.runs, seed: a.seed, perInputMs: a.perInputMs, shared },
  });
  return new Promise((resolve, reject) => {
    let beat = -1;
    const watchdog = setInterval(() => {
      const now = Atomics.load(words, 0);
      // 0: the worker is still loading (slow on a busy machine); the first input already counts 1.
      if (now !== beat || now === 0) {
        beat = now;
        return;
      }
      clearInterval(watchdog);
      const input = new Uint8Array(shared, 8, Atomics.load(words, 1)).slice();
      void worker.terminate();
      resolve({ hang: keep(name, input) });
    }, a.hangMs);
    worker.on('message', (m: { report?: FuzzReport; progress?: { done: number; seconds: number; findings: number } }) => {
      if (m.progress) {
        const p = m.progress;
        console.log(`  ${name}: ${p.done} inputs in ${p.seconds.toFixed(0)} s (${Math.round(p.done / p.seconds)}/s), findings ${p.findings}`);
        return;
      }
      clearInterval(watchdog);
      if (m.report) resolve(m.report);
    });
    worker.once('error', (e) => {
      clearInterval(watchdog);
      reject(e);
    });
  });
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  console.log(`fuzz: ${a.runs} inputs per target, seed ${a.seed} (again: --seed ${a.seed} --runs ${a.runs})`);
  let bad = 0;
  for (const name of a.names) {
    const r = await runWorker(name, a);
    if ('hang' in r) {
      bad++;
      console.log(`${name.padEnd(15)} HANG: no progress for ${a.hangMs} ms; input kept in ${r.hang}`);
      continue;
    }
    const heapBad = r.heapGrowthMb > a.heapMb;
    console.log(
      `${name.padEnd(15)} ${String(r.runs).padStart(8)} inputs  ${r.seconds.toFixed(1).padStart(6)} s  ${Math.round(r.inputsPerSecond)
        .toString()
        .padStart(
          6,
        )}/s  slowest ${r.slowestMs.toFixed(1)} ms  heap ${r.heapMb[0].toFixed(1)}→${r.heapMb[r.heapMb.length - 1].toFixed(1)} MB (growth after warm-up ${r.heapGrowthMb.toFixed(2)} MB)  findings ${r.findings.length}`,
    );
    const top = Object.entries(r.outcomes)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 6)
      .map(([k, n]) => `${k} ${((100 * n) / r.runs).toFixed(1)}%`);
    console.log(`  outcomes: ${top.join(', ')}${Object.keys(r.outcomes).length > 6 ? `, … (${Object.keys(r.outcomes).length} kinds)` : ''}`);
    for (const f of r.findings) console.log(`  ${f.count}× ${f.signature}\n     ${f.message.slice(0, 200)}\n     kept: ${keep(name, f.input)}`);
    if (heapBad) console.log(`  heap grew ${r.heapGrowthMb.toFixed(1)} MB after warm-up, over ${a.heapMb} MB`);
    if (r.findings.length > 0 || heapBad) bad++;
  }
  if (bad > 0) {
    console.log(`fuzz: ${bad} target(s) with findings`);
    process.exitCode = 1;
  }
}

await main();
