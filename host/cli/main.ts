import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';
import { plainSystemError } from '../system-error.js';
import { dispatch, UsageError, type Command } from './command.js';
import { backupCommand } from './commands/backup.js';
import { beaconCommand } from './commands/beacon.js';
import { boardsCommand } from './commands/boards.js';
import { cborCommand } from './commands/cbor.js';
import { chirpCommand } from './commands/chirp.js';
import { enrollCommand } from './commands/enroll.js';
import { eventCommand } from './commands/event-verify.js';
import { firmwareCommand } from './commands/firmware.js';
import { hubCommand } from './commands/hub.js';
import { i2cCommand } from './commands/i2c.js';
import { inviteCommand } from './commands/invite.js';
import { keygenCommand } from './commands/keygen.js';
import { mnemonicCommand } from './commands/mnemonic.js';
import { simCommand } from './commands/sim.js';
import { startCommand } from './commands/start.js';
import { timeCommand } from './commands/time.js';

export const root: Command = {
  name: 'fazt',
  summary: 'Fazt: a runtime for personal sensor infrastructure (ESP32 nodes, a Pi hub, a board simulator).',
  usage: 'fazt <command> [options]',
  subcommands: [
    startCommand,
    hubCommand,
    inviteCommand,
    enrollCommand,
    backupCommand,
    beaconCommand,
    timeCommand,
    simCommand,
    i2cCommand,
    boardsCommand,
    firmwareCommand,
    keygenCommand,
    mnemonicCommand,
    chirpCommand,
    cborCommand,
    eventCommand,
  ],
};

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

/** The version `fazt --version` prints: package.json's, read where the program runs from. */
function version(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the CLI; errors become one line on stderr: exit 2 for usage, 1 for everything else. */
export async function main(argv: string[]): Promise<number> {
  const io = { stdin: readStdin, out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };
  try {
    return await dispatch(root, argv, ['fazt'], io, version());
  } catch (e) {
    const plain = plainSystemError(e);
    const msg = plain ?? (e as Error).message?.split('\n')[0] ?? String(e);
    const code = plain ? undefined : (e as { code?: string }).code;
    process.stderr.write(`fazt: ${e instanceof UsageError || !code ? '' : `${code}: `}${msg}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
