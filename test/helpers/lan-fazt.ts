import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAZT, ROOT } from './child-process.js';
import type { Lan, LanHost } from './netns.js';

/** A fazt process on a LAN host, its output gathered as lines. */
export interface LanProcess {
  proc: ChildProcess;
  out: string[];
  /** stderr: the hub's JSON log records, parsed where they parse… */
  log: Record<string, unknown>[];
  /** …and every stderr line as is. */
  err: string[];
  /** Resolves with the exit code when the process ends. */
  exit: Promise<number | null>;
  /** Resolves when a stdout line matches (rejects after timeoutMs or if the process exits first). */
  waitOut(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the first log record for which `match` holds. */
  waitLog(match: (r: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startFazt(lan: Lan, host: LanHost, args: string[]): LanProcess {
  // The hub's log as records to match: one JSON object a line.
  const argv = args[0] === 'hub' && !args.includes('--log-json') ? [...args, '--log-json'] : args;
  return startLanProcess(lan, host, process.execPath, [FAZT, ...argv], `fazt ${args[0]}`);
}

/** Runs `command args` on a LAN host (a fixture, a server), its output gathered as startFazt's is. */
export function startLanProcess(lan: Lan, host: LanHost, command: string, args: string[], what: string): LanProcess {
  const proc = lan.spawn(host, command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const out: string[] = [];
  const log: Record<string, unknown>[] = [];
  const errText: string[] = [];
  const waiters = new Set<() => void>();
  let exited = false;
  const poke = () => waiters.forEach((w) => w());
  const lines = (stream: NodeJS.ReadableStream | null, onLine: (l: string) => void) => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      poke();
    });
  };
  lines(proc.stdout, (l) => out.push(l));
  lines(proc.stderr, (l) => {
    errText.push(l);
    try {
      log.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not a log record (e.g. a usage error): kept in errText for the failure message
    }
  });
  const exit = new Promise<number | null>((ok) => proc.once('exit', (code) => ((exited = true), poke(), ok(code))));
  const wait = <T>(probe: () => T | undefined, awaited: string, timeoutMs: number): Promise<T> =>
    new Promise((ok, fail) => {
      const check = () => {
        const v = probe();
        if (v !== undefined) return done(() => ok(v));
        if (exited) return done(() => fail(new Error(`${host.name}: ${what} exited before ${awaited}; stderr: ${errText.slice(-5).join(' | ')}`)));
      };
      const timer = setTimeout(
        () =>
          done(() =>
            fail(
              new Error(`${host.name}: no ${awaited} within ${timeoutMs} ms; stdout: ${out.slice(-5).join(' | ')}; stderr: ${errText.slice(-5).join(' | ')}`),
            ),
          ),
        timeoutMs,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  return {
    proc,
    out,
    log,
    err: errText,
    exit,
    waitOut: (pattern, timeoutMs = 15_000) => wait(() => out.map((l) => pattern.exec(l)).find((m) => m !== null) ?? undefined, `output ${pattern}`, timeoutMs),
    waitLog: (match, timeoutMs = 15_000) => wait(() => log.find(match), 'matching log record', timeoutMs),
    stop: async (signal = 'SIGTERM') => {
      if (!exited) proc.kill(signal);
      return exit;
    },
  };
}

/** Runs a fazt command to completion inside a host and parses its --json output. */
export async function faztJson<T>(lan: Lan, host: LanHost, args: string[], timeoutMs = 15_000): Promise<T> {
  const r = await lan.run(host, process.execPath, [FAZT, ...args, '--json'], { timeoutMs, env: process.env });
  if (r.code !== 0) throw new Error(`${host.name}: fazt ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

export function dataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `fazt-lan-${label}-`));
}

/** Polls `probe` every `everyMs` until it returns a value (bounded). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((ok) => setTimeout(ok, everyMs));
  }
}
