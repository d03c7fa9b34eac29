/**
 * bench/package: the single executable (npm run package) beside the built CLI
 * (node dist/fazt.js) in the same run: its size, and for each the time from
 * spawning `fazt hub` on a fresh data folder to "listening", median of five
 * starts each (alternated; the first start of the executable, which extracts
 * its native addon and dashboard to the cache, is reported apart), and the
 * resident memory when listening. Prints figures; never gates on a time.
 *
 * Usage: node --import tsx bench/package.ts   (after npm run package)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/fazt.js');
const exe = join(root, 'dist', `fazt-linux-${process.arch}`);
for (const f of [cli, exe]) if (!existsSync(f)) throw new Error(`${f} is missing: run npm run package first`);
const tmp = mkdtempSync(join(tmpdir(), 'fazt-bench-package-'));
const env = { ...process.env, XDG_CACHE_HOME: join(tmp, 'cache') };

/** Milliseconds from spawn to "listening", and the process's resident set then. */
function startHub(cmd: string, args: string[], n: number): Promise<{ ms: number; rssMb: number }> {
  const t0 = performance.now();
  const p = spawn(cmd, [...args, 'hub', '--data', join(tmp, `d${n}`), '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let out = '';
    p.once('exit', (code) => fail(new Error(`${cmd} hub exited (${code}) before listening: ${out}`)));
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!/listening on/.test(out)) return;
      const ms = performance.now() - t0;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'latin1'))?.[1] ?? 0) / 1024;
      p.removeAllListeners('exit');
      p.once('exit', () => ok({ ms, rssMb: rss }));
      p.kill('SIGTERM');
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const first = await startHub(exe, [], 0);
  const runs = { node: [] as { ms: number; rssMb: number }[], exe: [] as { ms: number; rssMb: number }[] };
  for (let i = 1; i <= 5; i++) {
    runs.node.push(await startHub(process.execPath, [cli], i));
    runs.exe.push(await startHub(exe, [], i + 10));
  }
  const mib = (b: number) => (b / 1048576).toFixed(1);
  const nodeMs = median(runs.node.map((r) => r.ms));
  const exeMs = median(runs.exe.map((r) => r.ms));
  console.log(`bench/package (load ${loadavg()[0].toFixed(2)}):`);
  console.log(
    `  size: dist/fazt-linux-${process.arch} ${mib(statSync(exe).size)} MiB; node dist/fazt.js needs node ${mib(statSync(process.execPath).size)} MiB + dist/fazt.js ${mib(statSync(cli).size)} MiB + node_modules`,
  );
  console.log(
    `  hub to "listening": executable ${exeMs.toFixed(0)} ms, node dist/fazt.js ${nodeMs.toFixed(0)} ms (ratio ${(exeMs / nodeMs).toFixed(2)}); executable's first start (extracts to its cache) ${first.ms.toFixed(0)} ms`,
  );
  console.log(
    `  resident when listening: executable ${median(runs.exe.map((r) => r.rssMb)).toFixed(0)} MB, node dist/fazt.js ${median(runs.node.map((r) => r.rssMb)).toFixed(0)} MB`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
