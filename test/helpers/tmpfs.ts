/**
 * A small filesystem of its own for a test: a tmpfs of a given size mounted inside a
 * private mount namespace (`unshare --mount --propagation private`), so nothing of it is
 * seen outside, and it goes away with the namespace. A holder process keeps the namespace
 * alive; it reads its stdin and exits when that closes, so a test process that dies (even by
 * kill -9) leaves nothing behind. Processes are started inside it with `nsenter -m`; the test
 * itself reaches the files through the holder's root (`/proc/<pid>/root/…`).
 *
 * Needs root (CAP_SYS_ADMIN) and util-linux's unshare and nsenter; see `tmpfsUnavailable()`.
 */
import { type ChildProcess, execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateTmpfs {
  /** The mount point, as processes inside the namespace see it. */
  readonly dir: string;
  /** The same directory as this process reaches it (through the holder's root). */
  readonly outside: string;
  /** Starts `command args` inside the namespace (nsenter -m; the network is this process's), in `options.cwd` there. */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Ends the holder (the processes started inside must be ended first) and removes the mount point. */
  close(): Promise<void>;
}

let unavailable: { reason: string | undefined } | undefined;

/** Why a private tmpfs cannot be made here, or undefined when it can. */
export function tmpfsUnavailable(): string | undefined {
  unavailable ??= { reason: probe() };
  return unavailable.reason;
}

function probe(): string | undefined {
  if (process.platform !== 'linux') return `mount namespaces need Linux (this is ${process.platform})`;
  const uid = process.getuid?.();
  if (uid !== 0) return `not root (uid ${uid}): mounting a tmpfs in a mount namespace needs root`;
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64k fazt-probe /mnt && umount /mnt'], {
      stdio: 'pipe',
      timeout: 10_000,
    });
    execFileSync('nsenter', ['--version'], { stdio: 'ignore', timeout: 10_000 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    return `unshare --mount --propagation private with a tmpfs, or nsenter, does not work here: ${e.stderr?.toString().trim() || e.message}`;
  }
  return undefined;
}

/** Mounts a tmpfs of `bytes` (rounded up to pages by the kernel) in a new private mount namespace. */
export async function privateTmpfs(bytes: number): Promise<PrivateTmpfs> {
  if (!Number.isInteger(bytes) || bytes < 4096) throw new RangeError(`bytes must be an integer of at least 4096 (got ${bytes})`);
  const dir = mkdtempSync(join(tmpdir(), 'fazt-tmpfs-'));
  // The holder mounts, says so, then waits on its stdin: our end of the pipe closes when we exit.
  const holder = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${bytes} fazt-tmpfs "$0" && echo mounted && exec cat`, dir],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      holder.stderr?.on('data', (c: Buffer) => void (err += c.toString()));
      holder.stdout?.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`could not mount a tmpfs in a mount namespace (exit ${code}): ${err.trim()}`)));
    });
  } catch (e) {
    rmdirSync(dir);
    throw e;
  }
  const pid = holder.pid as number;
  return {
    dir,
    outside: `/proc/${pid}/root${dir}`,
    // nsenter starts in the namespace's root directory: go to the cwd asked for there (older nsenters lack --wdns).
    spawn: (command, args, options = {}) =>
      spawn('nsenter', ['-t', String(pid), '-m', '--', 'sh', '-c', 'cd "$0" && exec "$@"', String(options.cwd ?? process.cwd()), command, ...args], options),
    close: async () => {
      holder.stdin?.end();
      await exited;
      rmdirSync(dir);
    },
  };
}
