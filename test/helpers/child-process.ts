import { spawn, type ChildProcess } from 'node:child_process';
import { until } from './wait.js';

const root = new URL('../..', import.meta.url).pathname;

/** A TypeScript script in its own Node process (tsx), its output kept for the test to wait on. */
export interface ScriptChild {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves with the first match of `pattern` in stdout; rejects when the child exits first or `ms` pass. */
  line: (pattern: RegExp, what: string, ms?: number) => Promise<RegExpExecArray>;
}

export function spawnScript(script: string, args: string[], env: Record<string, string> = {}): ScriptChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => void (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => void (err += c.toString()));
  const line = (pattern: RegExp, what: string, ms = 20_000) =>
    until(
      () => {
        const m = pattern.exec(out);
        if (m) return m;
        if (proc.exitCode !== null || proc.signalCode !== null)
          throw new Error(`${what}: the child exited (${proc.exitCode ?? proc.signalCode}) first: ${out} ${err}`);
        return undefined;
      },
      what,
      ms,
      () => ({ out, err }),
    );
  return { proc, out: () => out, err: () => err, line };
}

/** kill -9: SIGKILL, resolved once the process is gone. */
export function killHard(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

/** Resolves once the child exits by itself, with its exit code. */
export function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
    proc.once('exit', (code) => resolve(code));
  });
}
