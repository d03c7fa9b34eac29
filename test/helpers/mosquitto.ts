import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debianDaemon, TempDaemon } from './daemon.js';
import { closedPort } from './wait.js';

/** Debian's mosquitto (2.0.11 here and in CI; the package puts the broker in /usr/sbin). */
const MOSQUITTO = debianDaemon('mosquitto');
const PASSWD = debianDaemon('mosquitto_passwd');

/** Why the MQTT tests skip, or undefined when the broker is installed. */
export const mosquittoSkip: string | undefined = MOSQUITTO ? undefined : 'mosquitto is not installed in /usr/sbin or /usr/bin (apt-get install mosquitto)';

/**
 * A Mosquitto broker on a free loopback port with a generated config in a
 * temp dir: anonymous, or (auth) one user with a password file made by
 * mosquitto_passwd. stop() ends it; restart() starts it on the same port
 * (a broker outage); cleanup() stops it and removes the dir.
 */
export class Mosquitto extends TempDaemon {
  readonly user = 'hub';
  readonly password = `pw-${randomBytes(12).toString('hex')}`;
  private port = 0;

  private constructor(readonly auth: boolean) {
    super('mosquitto');
  }

  static async start(o: { auth?: boolean } = {}): Promise<Mosquitto> {
    const m = new Mosquitto(o.auth === true);
    try {
      for (let attempt = 0; ; attempt++) {
        // mosquitto cannot report a port it picked: a free one now.
        m.port = await closedPort();
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
    await this.launch(MOSQUITTO, ['-c', conf], (log) => (/running/.test(log) ? true : undefined));
  }
}
