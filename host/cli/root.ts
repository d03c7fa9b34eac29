import type { Command } from './command.js';
import { backupCommand } from './commands/backup.js';
import { retentionCommand } from './commands/retention.js';
import { restoreCommand } from './commands/restore.js';
import { beaconCommand } from './commands/beacon.js';
import { bleCommand } from './commands/ble.js';
import { boardsCommand } from './commands/boards.js';
import { bthomeCommand } from './commands/bthome.js';
import { cborCommand } from './commands/cbor.js';
import { chirpCommand } from './commands/chirp.js';
import { enrollCommand } from './commands/enroll.js';
import { eventCommand } from './commands/event-verify.js';
import { exportCommand } from './commands/export.js';
import { firmwareCommand } from './commands/firmware.js';
import { meshCommand } from './commands/mesh.js';
import { hubCommand } from './commands/hub.js';
import { i2cCommand } from './commands/i2c.js';
import { inviteCommand } from './commands/invite.js';
import { keygenCommand } from './commands/keygen.js';
import { mnemonicCommand } from './commands/mnemonic.js';
import { nodeCommand } from './commands/node.js';
import { rulesCommand } from './commands/rules.js';
import { serviceCommand } from './commands/service.js';
import { simCommand } from './commands/sim.js';
import { startCommand } from './commands/start.js';
import { pulseCommand } from './commands/pulse.js';
import { timeCommand } from './commands/time.js';
import { tokenCommand } from './commands/token.js';
import { mcpCommand } from './commands/mcp.js';
import { confirmCommand } from './commands/confirm.js';

/** Every command of `fazt`, in the order --help lists them. */
export const root: Command = {
  name: 'fazt',
  summary: 'Fazt: a runtime for personal sensor infrastructure (ESP32 nodes, a Pi hub, a board simulator).',
  usage: 'fazt <command> [options]',
  subcommands: [
    startCommand,
    hubCommand,
    tokenCommand,
    inviteCommand,
    enrollCommand,
    nodeCommand,
    backupCommand,
    retentionCommand,
    exportCommand,
    meshCommand,
    serviceCommand,
    restoreCommand,
    beaconCommand,
    timeCommand,
    pulseCommand,
    rulesCommand,
    bleCommand,
    simCommand,
    i2cCommand,
    boardsCommand,
    firmwareCommand,
    keygenCommand,
    mnemonicCommand,
    chirpCommand,
    cborCommand,
    bthomeCommand,
    eventCommand,
    mcpCommand,
    confirmCommand,
  ],
};
