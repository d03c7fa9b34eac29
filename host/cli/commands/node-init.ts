import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { toHex } from '../../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../../firmware/identity/node-id.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { initConfig } from '../../node-config/init-config.js';
import { keyFromText, tokenFromText } from '../../node-config/key-text.js';
import { stringFlag, UsageError, type Command } from '../command.js';
import { durationFlag } from '../duration-flag.js';

/** The fields of `fazt invite --json` a node needs. */
interface Invite {
  token?: unknown;
  hubKey?: unknown;
  fingerprint?: unknown;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** A flag's value in a key or token form; a wrong form is a usage error naming the flag. */
function parsed<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function readInvite(file: string): Invite {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof doc !== 'object' || doc === null) throw new Error('not a JSON object');
    return doc as Invite;
  } catch (e) {
    throw new UsageError(`--invite ${file}: ${(e as Error).message.split('\n')[0]} (write it with \`fazt invite --json > ${file}\`)`);
  }
}

/** The hub section from --invite, --hub-url, --hub-key and --token (flags win over the invite). */
function hubFrom(values: Record<string, unknown>): { url?: string; publicKey: string; token?: string; fingerprint?: string } {
  const file = stringFlag(values.invite);
  const invite: Invite = file ? readInvite(file) : {};
  const keyText = stringFlag(values['hub-key']) ?? stringFlag(invite.hubKey);
  if (keyText === undefined) throw new UsageError("the node needs its hub's key: --invite invite.json (`fazt invite --json` writes it) or --hub-key KEY");
  const publicKey = parsed(() => keyFromText(keyText, values['hub-key'] !== undefined ? '--hub-key' : `--invite ${file}: hubKey`));
  const tokenText = stringFlag(values.token) ?? stringFlag(invite.token);
  const token =
    tokenText === undefined ? undefined : parsed(() => tokenFromText(tokenText, values.token !== undefined ? '--token' : `--invite ${file}: token`));
  const url = stringFlag(values['hub-url']);
  if (url !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url))
    throw new UsageError(`--hub-url '${url}' is not an http(s) URL, e.g. http://192.168.1.20:7070`);
  return { url: url?.replace(/\/$/, ''), publicKey, token, fingerprint: stringFlag(invite.fingerprint) };
}

/** --other-hub KEY[@URL]: the key (hex or 24 words) and, after the first @, the hub's address. */
function otherHubFrom(spec: string): { publicKey: string; url?: string } {
  const at = spec.indexOf('@');
  const keyText = at < 0 ? spec : spec.slice(0, at);
  const url = at < 0 ? undefined : spec.slice(at + 1).replace(/\/$/, '');
  if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url))
    throw new UsageError(`--other-hub ${spec}: '${url}' is not an http(s) URL, e.g. http://192.168.1.21:7070`);
  return { publicKey: parsed(() => keyFromText(keyText, `--other-hub ${spec}`)), ...(url !== undefined ? { url } : {}) };
}

export const nodeInitCommand: Command = {
  name: 'init',
  summary: 'Write the configuration of a node of your own: a new key, its hub, its sensors checked against the board',
  usage:
    'fazt node init --board ID --sensor SPEC... [--output ID@PIN...] [--invite invite.json | --hub-key KEY [--token T]] [--hub-url URL] [--other-hub KEY[@URL]...] [--name N] [--interval 10s] [-o node.json] [--force] [--json]',
  help: [
    "SPEC: DRIVER@ADDRESS for an I2C chip on the board's default bus (sht4x@0x44; bme280 alone takes its",
    'default address), DRIVER@PIN for a pin sensor (pir@6, button@7). --output led@21, relay@4, buzzer@5.',
    'Keys: 64 hex digits or 24 words, as fazt keygen and fazt invite print them; --token takes the invite',
    'token or its 24 words.',
    '',
    'Without --hub-url the node finds its hub by Beacon (a beacon signed by the hub key) and enrols with',
    "the invite's token. With --hub-url it uplinks to that address and a device does not enrol itself:",
    '`fazt sim node --config` enrols the key with the token first.',
    '',
    'A new Ed25519 key is made; the file holds its secret, so it is written with mode 0600 and the secret',
    'is never printed. An existing file is kept unless --force. Then: fazt node check, fazt sim node',
    '--config, fazt firmware build --config.',
  ].join('\n'),
  options: {
    board: { type: 'string', value: 'ID', description: 'the board (fazt boards lists them)' },
    sensor: { type: 'string', value: 'SPEC', multiple: true, description: 'a sensor: DRIVER@ADDRESS or DRIVER@PIN (repeat it)' },
    output: { type: 'string', value: 'ID@PIN', multiple: true, description: 'an output: led@21, relay@4, buzzer@5 (repeat it)' },
    invite: { type: 'string', value: 'FILE', description: 'what `fazt invite --json` printed: the token, the hub key (and certificate)' },
    'hub-key': { type: 'string', value: 'KEY', description: "the hub's public key (hex or 24 words), instead of the invite's" },
    token: { type: 'string', value: 'TOKEN', description: "the invite token (or its 24 words), instead of the invite's" },
    'hub-url': { type: 'string', value: 'URL', description: "the hub's address; without it the node finds the hub by Beacon" },
    'other-hub': {
      type: 'string',
      value: 'KEY[@URL]',
      multiple: true,
      description: 'another of your hubs (repeat it): the node trusts its key and, with --hub-url and its URL, uplinks there when the first is away',
    },
    name: { type: 'string', value: 'NAME', description: 'the name the hub shows' },
    interval: { type: 'string', value: 'DURATION', description: 'how often sensors are read (default 10s)' },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'where to write it (default node.json; mode 0600)' },
    force: { type: 'boolean', description: 'overwrite FILE' },
    json: { type: 'boolean', description: 'print the file, node id, public key, board and hub mode as JSON' },
  },
  run: ({ values, out, err }) => {
    const board = stringFlag(values.board);
    if (board === undefined) throw new UsageError('init needs --board ID (fazt boards lists them)');
    const sensors = list(values.sensor);
    const outputs = list(values.output);
    if (sensors.length + outputs.length === 0) throw new UsageError('init needs at least one --sensor (or --output), e.g. --sensor sht4x@0x44');
    const intervalMs = values.interval === undefined ? 10_000 : durationFlag(String(values.interval), '--interval');
    const hub = hubFrom(values);
    const secret = new Uint8Array(randomBytes(32));
    const otherHubs = list(values['other-hub']).map(otherHubFrom);
    const { doc, problems } = parsed(() =>
      initConfig({ board, sensors, outputs, name: stringFlag(values.name), intervalMs, secretKey: toHex(secret), hub, otherHubs }),
    );
    if (problems.length) {
      err(problems.map((p) => `fazt: ${p}\n`).join('')); // every problem, each naming its flag (a thrown error shows one line)
      return 2;
    }
    const file = stringFlag(values.out) ?? 'node.json';
    try {
      writeFileSync(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600, flag: values.force ? 'w' : 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists: keep it, or pass --force to replace it (and its key)`);
      throw e;
    }
    chmodSync(file, 0o600); // --force over a file that was readable by others
    const id = identityFromSecretKey(secret, nodeCrypto);
    const mode = hub.url ? `uplinks to ${hub.url}` : `finds hub ${hub.publicKey.slice(0, 16)}… by Beacon`;
    const enrol = hub.token ? 'enrols with the invite' : 'no invite: the hub must know this key already';
    if (values.json)
      out(`${JSON.stringify({ file, id: id.id, publicKey: toHex(id.publicKey), board, hub: hub.url ? 'url' : 'beacon', enrol: hub.token !== undefined })}\n`);
    else
      out(
        `wrote ${file} (mode 0600: it holds the node's secret key)\n` +
          `node id    ${id.id}\npublic key ${toHex(id.publicKey)}\n` +
          `board ${board}, ${sensors.length + outputs.length} sensor(s); ${mode}; ${enrol}\n` +
          `next: fazt node check ${file}; fazt sim node --config ${file}; fazt firmware build --config ${file}\n`,
      );
    return 0;
  },
};
