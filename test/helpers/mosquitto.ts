import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's mosquitto (2.0.11 here and in CI; the package puts the broker in /usr/sbin). */
export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));
const PASSWD = ['/usr/bin/mosquitto_passwd', '/usr/sbin/mosquitto_passwd'].find((p) => existsSync(p));

/** Why the MQTT tests skip, or undefined when the broker is installed. */
export const mosquittoSkip: string | undefined = MOSQUITTO ? undefined : 'mosquitto is not installed in /usr/sbin or /usr/bin (apt-get install mosquitto)';

/** A port free on loopback right now (mosquitto cannot report one it picked). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * A Mosquitto broker on a free loopback port with a generated config in a
 * temp dir: anonymous, or (auth) one user with a password file made by
 * mosquitto_passwd. stop() ends it; restart() starts it on the same port
 * (a broker outage); cleanup() stops it and removes the dir.
 */
export class Mosquitto {
  readonly dir: string;
  readonly user = 'hub';
  readonly password = `pw-${randomBytes(12).toString('hex')}`;
  private child: ChildProcess | undefined;
  private port = 0;

  private constructor(readonly auth: boolean) {
    this.dir = mkdtempSync(join(tmpdir(), 'fazt-mqtt-'));
  }

  static async start(o: { auth?: boolean } = {}): Promise<Mosquitto> {
    const m = new Mosquitto(o.auth === true);
    try {
      for (let attempt = 0; ; attempt++) {
        m.port = await freePort();
        try {
          await m.restart();
          break;
        } catch (e) {
          // Another process took the port between the probe and the broker's bind: try another.
          if (attempt >= 3 || !/in use/i.test((e as Error).message)) throw e;
        }
      }
    } catch (e) {
      await m.cleanup();
      throw e;
    }
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts the broker (again) on its port. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('mosquitto is already running');
    if (!MOSQUITTO) throw new Error(mosquittoSkip);
    const conf = join(this.dir, 'mosquitto.conf');
    // Started as root (CI, here) mosquitto would switch to its own user, who cannot read this private temp dir: stay.
    const lines = [
      `listener ${this.port} 127.0.0.1`,
      'user root',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
    ];
    if (this.auth) {
      if (!PASSWD) throw new Error('mosquitto_passwd is not installed');
      const file = join(this.dir, 'passwd');
      writeFileSync(file, '', { mode: 0o600 });
      execFileSync(PASSWD, ['-b', file, this.user, this.password]);
      lines.push('allow_anonymous false', `password_file ${file}`);
    } else lines.push('allow_anonymous true');
    writeFileSync(conf, `${lines.join('\n')}\n`);
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let log = '';
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`mosquitto did not get ready in 10 s: ${log.slice(-800)}`)), 10_000);
      child.once('error', (e) => {
        clearTimeout(timer);
        fail(e);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`mosquitto exited (${code}): ${log.slice(-800)}`));
      });
      child.stderr?.on('data', (d: Buffer) => {
        log += d.toString();
        if (/running/.test(log)) {
          clearTimeout(timer);
          ok();
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
  }

  /** Stops the broker and waits for the process to end. */
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
