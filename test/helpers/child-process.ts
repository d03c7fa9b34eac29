import { buildSync } from 'esbuild';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
/** The built CLI, what users run (npm test builds it first): it starts in a fraction of the CPU a tsx child takes. */
export const FAZT = new URL('../../dist/fazt.js', import.meta.url).pathname;

/** The `fazt` command users run (npx fazt): it loads the bundle. */
const BIN = new URL('../../bin/fazt.js', import.meta.url).pathname;

export function requireBuild(): void {
  if (!existsSync(FAZT)) throw new Error(`${FAZT} is missing: run npm run build first`);
}

/** A Node child process (a bundled script or the built CLI), its output kept for the test to wait on. */
export interface ScriptChild {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves with the first match of `pattern` in stdout; rejects when the child exits first or `ms` pass. */
  line: (pattern: RegExp, what: string, ms?: number) => Promise<RegExpExecArray>;
  /** Resolves with the exit code once the child has exited and all its output is read. */
  closed: Promise<number | null>;
}

/** Where scripts bundled for a child are kept: inside the checkout, so their packages resolve to its node_modules. */
const BUNDLES = new URL('../../node_modules/.cache/fazt-test-children/', import.meta.url).pathname;
const bundles = new Map<string, string>();

/**
 * `script` and what it imports bundled into one ES module as dist/fazt.js is
 * built (esbuild, packages external), once per test process, named by its
 * content so test processes running side by side share it. A tsx child
 * compiles and resolves every module it loads at start: several times the
 * CPU of loading one bundle.
 */
function bundled(script: string): string {
  const known = bundles.get(script);
  if (known) return known;
  const r = buildSync({
    entryPoints: [script],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    write: false,
    logLevel: 'warning',
    outdir: BUNDLES,
  });
  const code = r.outputFiles[0].contents;
  const file = join(BUNDLES, `${basename(script, '.ts')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(BUNDLES, { recursive: true });
    // Written whole, then named: a test process starting the same bundle never reads half of it.
    const part = `${file}.${process.pid}.part`;
    writeFileSync(part, code);
    renameSync(part, file);
  }
  bundles.set(script, file);
  return file;
}

/** A TypeScript script in its own Node process, run from its bundle (bundled). */
export function spawnScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ScriptChild {
  return spawnNode([bundled(script), ...args], env);
}

/** `fazt …args` from the built bundle, dist/fazt.js. */
export function spawnFazt(args: string[], env: NodeJS.ProcessEnv = {}): ScriptChild {
  requireBuild();
  return spawnNode([FAZT, ...args], env);
}

/** `fazt …args` run to completion as users run it, in `cwd` (default the checkout), `input` on its stdin. */
export function runFazt(args: string[], o: { input?: string; cwd?: string } = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: o.input, encoding: 'utf8', timeout: 60_000, cwd: o.cwd ?? ROOT, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** `fazt hub --data dataDir` (built) on a free loopback port and `args`: resolves once it listens; killed if it does not. */
export async function startFaztHub(dataDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ScriptChild & { url: string }> {
  const child = spawnFazt(['hub', '--data', dataDir, '--listen', '127.0.0.1:0', ...args], env);
  try {
    const m = await child.line(/listening on (http:\/\/\S+)/, 'the hub to listen');
    return { ...child, url: m[1] };
  } catch (e) {
    await killHard(child.proc);
    throw e;
  }
}

function spawnNode(nodeArgs: string[], env: NodeJS.ProcessEnv): ScriptChild {
  const proc = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => void (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => void (err += c.toString()));
  let ended = false;
  // Tested as each chunk arrives, never on a timer: under load a poll's wakeups take CPU the child needs.
  const line = (pattern: RegExp, what: string, ms = 20_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out);
        if (m) finish(m);
        else if (ended) finish(new Error(`${what}: the child exited (${proc.exitCode ?? proc.signalCode}) first: ${out} ${err}`));
      };
      const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for ${what}; ${JSON.stringify({ out, err }).slice(-1500)}`)), ms);
      const finish = (r: RegExpExecArray | Error) => {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        proc.off('close', check);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      proc.stdout?.on('data', check); // after the listener above that appends the chunk to `out`
      proc.once('close', check);
      check();
    });
  const closed = new Promise<number | null>((resolve) =>
    proc.once('close', (code) => {
      ended = true;
      resolve(code);
    }),
  );
  return { proc, out: () => out, err: () => err, line, closed };
}

/** kill -9: SIGKILL, resolved once the process is gone. */
export function killHard(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

/** SIGTERM (a clean stop): resolves with the exit code once the process is gone and its output read. */
export function stopGently(child: ScriptChild): Promise<number | null> {
  child.proc.kill('SIGTERM');
  return child.closed;
}
