import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Debian package's daemon: its path in /usr/sbin or /usr/bin, or undefined when it is not installed. */
export const debianDaemon = (name: string): string | undefined => [`/usr/sbin/${name}`, `/usr/bin/${name}`].find((p) => existsSync(p));

/** A bound on a daemon getting ready on a loaded machine, not an expectation. */
const READY_MS = 10_000;

/**
 * A daemon the tests start from a config they generate, in a temp dir of
 * its own: launch() spawns it and waits, bounded, until its stderr says it
 * is ready; stop() ends it and waits for the process (a broker outage, when
 * launched again); cleanup() stops it and removes the dir.
 */
export abstract class TempDaemon {
  readonly dir: string;
  private child: ChildProcess | undefined;

  protected constructor(private readonly name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `fazt-${name}-`));
  }

  /** Spawns `bin args` and resolves with what `ready` finds in its stderr so far (undefined: not yet). */
  protected async launch<T>(bin: string, args: string[], ready: (stderr: string) => T | undefined): Promise<T> {
    if (this.child) throw new Error(`${this.name} is already running`);
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let log = '';
    const value = await new Promise<T>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`${this.name} did not get ready in ${READY_MS / 1000} s: ${log.slice(-800)}`)), READY_MS);
      child.once('error', (e) => {
        clearTimeout(timer);
        fail(e);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`${this.name} exited (${code}): ${log.slice(-800)}`));
      });
      child.stderr?.on('data', (d: Buffer) => {
        log += d.toString();
        const v = ready(log);
        if (v !== undefined) {
          clearTimeout(timer);
          ok(v);
        }
      });
    }).catch((e: unknown) => {
      child.kill('SIGKILL');
      this.child = undefined;
      throw e;
    });
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    child.stderr?.removeAllListeners('data');
    child.stderr?.resume();
    return value;
  }

  /** Stops the daemon and waits for the process to end. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((ok) => {
      child.once('exit', () => ok());
      child.kill('SIGTERM');
    });
  }

  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
