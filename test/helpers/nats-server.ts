import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';

/** Debian's nats-server (2.9.10 here and in CI; the package puts it in /usr/sbin). */
export const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));

/** Why the NATS tests skip, or undefined when the server is installed. */
export const natsSkip: string | undefined = NATS_SERVER ? undefined : 'nats-server is not installed in /usr/sbin or /usr/bin (apt-get install nats-server)';

export interface NatsUsers {
  /** A user with a password. */
  user: string;
  password: string;
  /** An nkey user: its seed (what `--mesh-nats-nkey-file` holds) and public key. */
  nkeySeed: string;
  nkeyPublic: string;
}

/**
 * A nats-server with JetStream on a free loopback port, its store and config
 * in a temp dir: users with passwords and an nkey user. stop() ends the
 * process; restart() starts it again on the same port and store (a broker
 * outage); cleanup() stops it and removes the dir.
 */
export class NatsServer {
  readonly dir: string;
  readonly users: NatsUsers;
  private child: ChildProcess | undefined;
  private port = -1;

  private constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'fazt-nats-'));
    const kp = createUser();
    this.users = {
      user: 'hub',
      password: `pw-${randomBytes(12).toString('hex')}`,
      nkeySeed: new TextDecoder().decode(kp.getSeed()),
      nkeyPublic: kp.getPublicKey(),
    };
  }

  static async start(): Promise<NatsServer> {
    const s = new NatsServer();
    try {
      await s.restart();
    } catch (e) {
      await s.cleanup();
      throw e;
    }
    return s;
  }

  /** The client URL (nats://127.0.0.1:<port>). */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again): a random port the first time, the same one after. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('nats-server is already running');
    if (!NATS_SERVER) throw new Error(natsSkip);
    const conf = join(this.dir, 'nats.conf');
    const { user, password, nkeyPublic } = this.users;
    writeFileSync(
      conf,
      [
        `listen: "127.0.0.1:${this.port}"`,
        `jetstream { store_dir: ${JSON.stringify(join(this.dir, 'js'))}, max_memory_store: 64MB, max_file_store: 256MB }`,
        `authorization { users: [ { user: ${JSON.stringify(user)}, password: ${JSON.stringify(password)} }, { nkey: ${JSON.stringify(nkeyPublic)} } ] }`,
        '',
      ].join('\n'),
    );
    const child = spawn(NATS_SERVER, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let log = '';
    this.port = await new Promise<number>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`nats-server did not get ready in 10 s: ${log.slice(-800)}`)), 10_000);
      child.once('error', (e) => {
        clearTimeout(timer);
        fail(e);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`nats-server exited (${code}): ${log.slice(-800)}`));
      });
      child.stderr?.on('data', (d: Buffer) => {
        log += d.toString();
        const port = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
        if (port && log.includes('Server is ready')) {
          clearTimeout(timer);
          ok(Number(port[1]));
        }
      });
    }).catch((e: unknown) => {
      child.kill('SIGKILL');
      this.child = undefined;
      throw e;
    });
    child.stderr?.removeAllListeners('data');
    child.stderr?.resume();
  }

  /** Stops the server and waits for the process to end. */
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
