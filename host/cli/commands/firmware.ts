import { firmwareBuild, firmwareFlash, type FirmwareRequest } from '../../moddable/firmware-build.js';
import { stringFlag, UsageError, type Command, type CommandContext, type OptionSpec } from '../command.js';
import { firmwareListCommand, firmwarePublishCommand } from './firmware-publish.js';

function request(ctx: CommandContext): FirmwareRequest {
  const v = ctx.values;
  const ssid = stringFlag(v.ssid);
  if (v.password !== undefined && ssid === undefined) throw new UsageError('--password needs --ssid');
  return {
    board: stringFlag(v.board),
    config: stringFlag(v.config),
    outDir: stringFlag(v.out),
    wifi: ssid === undefined ? undefined : { ssid, password: stringFlag(v.password) },
    release: v.release === true,
    env: process.env,
    out: ctx.out,
    err: ctx.err,
  };
}

const common: Record<string, OptionSpec> = {
  board: { type: 'string', value: 'ID', description: "an ESP32 board from `fazt boards` (runtime moddable); default: the config's board" },
  config: {
    type: 'string',
    value: 'FILE',
    description:
      'the node configuration (schemas/node-config.schema.json), checked before anything is written; without hub.url the node finds its hub by Beacon (hub.publicKey) and enrols with hub.token',
  },
  out: { type: 'string', value: 'DIR', description: "the build folder (default dist/firmware/<board>); it holds the node's secret key (mode 0700)" },
  ssid: { type: 'string', value: 'SSID', description: 'the Wi-Fi network the node joins at boot (Moddable config ssid)' },
  password: { type: 'string', value: 'PW', description: 'its password (needs --ssid)' },
  release: { type: 'boolean', description: 'build without -d (no xsbug debugging)' },
};

export const firmwareCommand: Command = {
  name: 'firmware',
  summary: 'Build, flash or publish (OTA) the node firmware for an ESP32 with Moddable',
  usage: 'fazt firmware <build|flash|publish|list> [options]',
  subcommands: [
    {
      name: 'build',
      summary: 'Write a build folder for a board and node configuration, and run mcconfig if it is set up',
      usage: 'fazt firmware build --config <node.json> [--board <id>] [--out <dir>] [--ssid <ssid> [--password <pw>]] [--release]',
      help: `Runs \`mcconfig -d -m -p <platform> -t build\` in the folder when MODDABLE, mcconfig, IDF_PATH and idf.py\nare there; otherwise prints what is missing and the commands to run, and exits 3.`,
      options: common,
      run: (ctx) => firmwareBuild(request(ctx)),
    },
    {
      name: 'flash',
      summary: 'Build and flash the firmware over a serial port (mcconfig with UPLOAD_PORT)',
      usage: 'fazt firmware flash --board <id> --port <tty> [--config <node.json>] [--out <dir>] [--release]',
      help: `Without --config it flashes the folder \`fazt firmware build\` wrote. Exits 3 when tools are missing.`,
      options: { ...common, port: { type: 'string', value: 'TTY', description: 'the serial port, e.g. /dev/ttyUSB0 (UPLOAD_PORT)' } },
      run: (ctx) => {
        const port = stringFlag(ctx.values.port);
        if (port === undefined) throw new UsageError('flash needs --port <tty>, e.g. /dev/ttyUSB0');
        return firmwareFlash({ ...request(ctx), port });
      },
    },
    firmwarePublishCommand,
    firmwareListCommand,
  ],
};
