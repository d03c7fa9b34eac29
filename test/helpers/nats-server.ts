import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { debianDaemon, TempDaemon } from './daemon.js';

/** Debian's nats-server (2.9.10 here and in CI; the package puts it in /usr/sbin). */
export const NATS_SERVER = debianDaemon('nats-server');

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
export class NatsServer extends TempDaemon {
  readonly users: NatsUsers;
  private port = -1;

  private constructor() {
    super('nats');
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
    this.port = await this.launch(NATS_SERVER, ['-c', conf], (log) => {
      const port = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
      return port && log.includes('Server is ready') ? Number(port[1]) : undefined;
    });
  }
}
