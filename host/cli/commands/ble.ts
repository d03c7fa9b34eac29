import { readFileSync } from 'node:fs';
import { parseBleKey, parseMac } from '../../ble/ble-mac.js';
import { type Command, UsageError } from '../command.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';
import { table } from '../table.js';
import { bleScanCommand } from './ble-scan.js';

interface DeviceRow {
  mac: string;
  name: string | null;
  encrypted: boolean;
  addedAt: number;
  lastCounter: number | null;
  resetPending: boolean;
}

const WHO = 'Changing devices needs an owner token of scope admin, listing them one of scope read (README "Access: owner only").';

function oneMac(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError('give exactly one device address (e.g. A4:C1:38:AA:BB:CC)');
  try {
    return parseMac(positionals[0]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The key from --key or --key-file, checked here so a mistake is a usage error; never echoed. */
function keyHex(values: Record<string, unknown>): string | undefined {
  const inline = typeof values.key === 'string' ? values.key : undefined;
  const file = typeof values['key-file'] === 'string' ? values['key-file'] : undefined;
  if (inline !== undefined && file !== undefined) throw new UsageError('give --key or --key-file, not both');
  let hex = inline;
  if (file !== undefined) {
    try {
      hex = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`cannot read --key-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (hex === undefined) return undefined;
  try {
    parseBleKey(hex, file !== undefined ? `the key in ${file}` : '--key');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return hex.trim().toLowerCase();
}

const add: Command = {
  name: 'add',
  summary: 'Add a BTHome device the hub listens for (or change its name or key)',
  usage: 'fazt ble add <mac> [--key HEX | --key-file FILE] [--name NAME] [--hub URL] [--json]',
  help: [
    'With a key (32 hex digits, the BTHome encryption key), only encrypted advertisements that verify and carry a',
    'counter greater than the last one accepted are taken; plaintext from it is refused as a downgrade. Without one,',
    'plaintext is taken. The key is sent to the hub once and never printed or logged.',
    WHO,
  ].join('\n'),
  args: '[mac]',
  options: {
    ...HUB_OPTIONS,
    key: { type: 'string', value: 'HEX', description: "the device's 16-byte BTHome key as 32 hex digits" },
    'key-file': { type: 'string', value: 'FILE', description: 'a file holding the key as 32 hex digits (keeps it out of the shell history)' },
    name: { type: 'string', value: 'NAME', description: 'a name for people (e.g. kitchen)' },
  },
  run: async ({ positionals, values, out }) => {
    const mac = oneMac(positionals);
    const key = keyHex(values);
    const body = { mac, ...(key ? { key } : {}), ...(typeof values.name === 'string' ? { name: values.name } : {}) };
    const d = await askHub<DeviceRow>(values, '/v1/ble/devices', { body });
    out(values.json ? `${JSON.stringify(d)}\n` : `added ${d.mac}${d.name ? ` (${d.name})` : ''}, ${d.encrypted ? 'encrypted' : 'plaintext'}\n`);
  },
};

const list: Command = {
  name: 'list',
  summary: 'The BTHome devices the hub listens for',
  usage: 'fazt ble list [--hub URL] [--json]',
  options: HUB_OPTIONS,
  run: async ({ values, out }) => {
    const { devices } = await askHub<{ devices: DeviceRow[] }>(values, '/v1/ble/devices');
    if (values.json) return void out(`${JSON.stringify(devices)}\n`);
    if (devices.length === 0) return void out('no BLE devices (fazt ble scan finds them, fazt ble add adds one)\n');
    const rows = devices.map((d) => [
      d.mac,
      d.name ?? '-',
      d.encrypted ? 'encrypted' : 'plaintext',
      d.lastCounter === null ? '-' : String(d.lastCounter),
      d.resetPending ? 'reset accepted, waiting' : '',
    ]);
    out(`${table(['MAC', 'NAME', 'MODE', 'COUNTER', ''], rows)}\n`);
  },
};

/** A change to one configured device: remove, accept-reset. */
function change(name: string, path: string, summary: string, help: string, done: (mac: string) => string): Command {
  return {
    name,
    summary,
    usage: `fazt ble ${name} <mac> [--hub URL] [--json]`,
    help: `${help}\n${WHO}`,
    args: '[mac]',
    options: HUB_OPTIONS,
    run: async ({ positionals, values, out }) => {
      const mac = oneMac(positionals);
      const r = await askHub<Record<string, unknown>>(values, path, { body: { mac } });
      out(values.json ? `${JSON.stringify(r)}\n` : `${done(mac)}\n`);
    },
  };
}

export const bleCommand: Command = {
  name: 'ble',
  summary: 'BLE sensors speaking BTHome v2: scan, add, list, remove, accept a counter reset',
  usage: 'fazt ble <scan|add|list|remove|accept-reset> [options]',
  subcommands: [
    bleScanCommand,
    add,
    list,
    change(
      'remove',
      '/v1/ble/devices/remove',
      'Stop listening for a device',
      'Its advertisements are ignored from now on; its last counter is kept.',
      (m) => `removed ${m}`,
    ),
    change(
      'accept-reset',
      '/v1/ble/devices/accept-reset',
      "Accept a device's counter restart (after a battery change), once",
      [
        'An encrypted BTHome device counts up; a counter that does not increase is refused as a replay, and the last',
        'one accepted is kept in the cartridge across restarts. A battery change can restart the count: this accepts',
        'the next counter once, whatever it is, and the hub records that on its chain (system.ble.reset).',
      ].join('\n'),
      (m) => `${m}: its next counter will be accepted once, whatever it is`,
    ),
  ],
};
