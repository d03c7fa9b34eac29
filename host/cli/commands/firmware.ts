import { firmwareBuild, firmwareFlash, type FirmwareRequest } from '../../moddable/firmware-build.js';
import { UsageError, type Command, type CommandContext } from '../command.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function request(ctx: CommandContext): FirmwareRequest {
  if (ctx.positionals.length) throw new UsageError(`unexpected argument '${ctx.positionals[0]}' (try --help)`);
  const v = ctx.values;
  const ssid = str(v.ssid);
  if (v.password !== undefined && ssid === undefined) throw new UsageError('--password needs --ssid');
  return {
    board: str(v.board),
    config: str(v.config),
    outDir: str(v.out),
    wifi: ssid === undefined ? undefined : { ssid, password: str(v.password) },
    release: v.release === true,
    env: process.env,
    out: ctx.out,
    err: ctx.err,
  };
}

const common = {
  board: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  ssid: { type: 'string' },
  password: { type: 'string' },
  release: { type: 'boolean' },
} as const;

const HELP_COMMON = [
  "--board <id>       an ESP32 board from `fazt boards` (runtime moddable); default: the config's board",
  '--config <file>    the node configuration (schemas/node-config.schema.json), checked before anything is written;',
  '                   without hub.url the node finds its hub by Beacon (hub.publicKey) and enrols with hub.token',
  "--out <dir>        the build folder (default dist/firmware/<board>); it holds the node's secret key (mode 0700)",
  '--ssid/--password  Wi-Fi the node joins at boot (Moddable config ssid/password)',
  '--release          build without -d (no xsbug debugging)',
].join('\n');

export const firmwareCommand: Command = {
  name: 'firmware',
  summary: 'Build or flash the node firmware for an ESP32 with Moddable (mcconfig)',
  usage: 'fazt firmware <build|flash> [options]',
  subcommands: [
    {
      name: 'build',
      summary: 'Write a build folder for a board and node configuration, and run mcconfig if it is set up',
      usage: 'fazt firmware build --config <node.json> [--board <id>] [--out <dir>] [--ssid <ssid> [--password <pw>]] [--release]',
      help: `${HELP_COMMON}\n\nRuns \`mcconfig -d -m -p <platform> -t build\` in the folder when MODDABLE, mcconfig, IDF_PATH and idf.py\nare there; otherwise prints what is missing and the commands to run, and exits 3.`,
      options: common,
      run: (ctx) => firmwareBuild(request(ctx)),
    },
    {
      name: 'flash',
      summary: 'Build and flash the firmware over a serial port (mcconfig with UPLOAD_PORT)',
      usage: 'fazt firmware flash --board <id> --port <tty> [--config <node.json>] [--out <dir>] [--release]',
      help: `--port <tty>       the serial port, e.g. /dev/ttyUSB0 (UPLOAD_PORT)\n${HELP_COMMON}\n\nWithout --config it flashes the folder \`fazt firmware build\` wrote. Exits 3 when tools are missing.`,
      options: { ...common, port: { type: 'string' } },
      run: (ctx) => {
        const port = str(ctx.values.port);
        if (port === undefined) throw new UsageError('flash needs --port <tty>, e.g. /dev/ttyUSB0');
        return firmwareFlash({ ...request(ctx), port });
      },
    },
  ],
};
