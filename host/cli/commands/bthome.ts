import { adServiceData } from '../../../firmware/ble/ble-ad.js';
import { BTHOME_UUID, BthomeError, type BthomeObject, type BthomePacket, parseBthome } from '../../../firmware/ble/bthome.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import { decryptBthome } from '../../ble/bthome-decrypt.js';
import { type Command, UsageError } from '../command.js';
import { table } from '../table.js';

/** Hex from the command line as bytes; a malformed one is a usage error naming which argument. */
function bytesOf(hex: string, what: string): Uint8Array {
  try {
    return fromHex(hex);
  } catch (e) {
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
}

/**
 * The BTHome service data in `bytes`: the bytes themselves (from the device
 * information byte, or with D2 FC in front), or, when they are a whole
 * advertising payload (020106 … 0A16D2FC…), its service data under 0xFCD2.
 */
function serviceData(bytes: Uint8Array, unknown: 'refuse' | 'stop'): Uint8Array {
  try {
    parseBthome(bytes, { unknown });
    return bytes;
  } catch (e) {
    const inAd = e instanceof BthomeError && e.code === 'not-v2' ? adServiceData(bytes)?.[BTHOME_UUID] : undefined;
    if (inAd) return inAd;
    throw e;
  }
}

function valueText(o: BthomeObject): string {
  if (typeof o.value === 'boolean') return o.value ? 'yes' : 'no';
  const unit = o.specUnit ?? '';
  const steps = o.steps === undefined || o.steps === 0 ? '' : ` (${o.steps} step${o.steps === 1 ? '' : 's'})`;
  return `${o.value}${unit ? ` ${unit}` : ''}${steps}`;
}

function headerText(p: BthomePacket, decrypted: boolean): string {
  const parts = [`BTHome v2, ${p.encrypted ? (decrypted ? 'encrypted (decrypted)' : 'encrypted') : 'not encrypted'}`];
  parts.push(p.triggerBased ? 'advertises on events' : 'advertises at a regular interval');
  if (p.encrypted) parts.push(`counter ${p.counter}`);
  if (p.packetId !== undefined) parts.push(`packet id ${p.packetId}`);
  return parts.join(', ');
}

function asJson(p: BthomePacket, decrypted: boolean): unknown {
  const { objects, ...rest } = p;
  const out: Record<string, unknown> = { ...rest, decrypted };
  if (p.encrypted) Object.assign(out, { ciphertext: toHex(p.ciphertext), mic: toHex(p.mic) });
  if (objects) out.objects = objects.map((o) => ({ ...o, raw: toHex(o.raw) }));
  return out;
}

const decode: Command = {
  name: 'decode',
  summary: "Decode one advertisement's BTHome v2 service data (plain, or encrypted with --mac and --key)",
  usage: 'fazt bthome decode <hex> [--mac AA:BB:CC:DD:EE:FF --key HEX] [--json]',
  help: [
    'The hex is the service data under UUID 0xFCD2, from the device information byte',
    '(4002c40903bf13), with the UUID in front as the spec writes it (d2fc4002c40903bf13), or a',
    'whole advertising payload (020106…0a16d2fc…). One line per object: name, value, unit.',
    "An encrypted packet needs the sender's MAC and its 16-byte key; without them the counter",
    'is printed and the objects stay sealed. Examples:',
    '  fazt bthome decode d2fc4002c40903bf13',
    '  fazt bthome decode d2fc41e445f3c9962b332211006c7c4519 --mac 54:48:E6:8F:80:A5 --key 231d39c1d7cc1ab1aee224cd096db932',
  ].join('\n'),
  args: '<hex...>',
  options: {
    mac: { type: 'string', value: 'MAC', description: "the sender's address, AA:BB:CC:DD:EE:FF (with --key)" },
    key: { type: 'string', value: 'HEX', description: 'the 16-byte encryption key as 32 hex digits' },
    json: { type: 'boolean', description: 'print the packet as JSON (bytes as hex)' },
    'stop-at-unknown': {
      type: 'boolean',
      description: 'keep the objects before an unknown object id instead of refusing the packet (the spec asks this of older receivers)',
    },
  },
  run: ({ positionals, values, out }) => {
    const mac = values.mac === undefined ? undefined : String(values.mac);
    const keyHex = values.key === undefined ? undefined : String(values.key);
    if ((mac === undefined) !== (keyHex === undefined)) throw new UsageError('bthome decode: --mac and --key go together (the nonce includes the MAC)');
    const unknown = values['stop-at-unknown'] ? 'stop' : 'refuse';
    const data = serviceData(bytesOf(positionals.join(''), '<hex>'), unknown);
    let packet: BthomePacket = parseBthome(data, { unknown });
    const decrypted = packet.encrypted && keyHex !== undefined && mac !== undefined;
    if (keyHex !== undefined && mac !== undefined) {
      if (!packet.encrypted)
        throw new BthomeError('not-encrypted', 'the packet is not encrypted, yet --key was given (from a device with a key, plaintext is a downgrade)');
      packet = decryptBthome(data, mac, bytesOf(keyHex, '--key'), { unknown });
    }
    if (values.json) {
      out(`${JSON.stringify(asJson(packet, decrypted), null, 2)}\n`);
      return;
    }
    const lines = [headerText(packet, decrypted)];
    if (packet.objects) {
      lines.push(
        table(
          ['object', 'name', 'value'],
          packet.objects.map((o) => [`0x${toHex(Uint8Array.of(o.id))}`, o.name, valueText(o)]),
        ),
      );
    } else if (packet.encrypted) {
      lines.push(`${packet.ciphertext.length} encrypted bytes: give --mac and --key to decrypt them`);
    }
    if (packet.outOfOrder) lines.push('note: object ids are not in ascending order, as the spec requires; shown as sent');
    if (packet.stoppedAt)
      lines.push(`stopped at unknown object id 0x${toHex(Uint8Array.of(packet.stoppedAt.id))} (byte ${packet.stoppedAt.offset}); the rest is not decoded`);
    out(`${lines.join('\n')}\n`);
  },
};

export const bthomeCommand: Command = {
  name: 'bthome',
  summary: 'BTHome v2 BLE advertisements (bthome.io): decode service data',
  usage: 'fazt bthome <decode>',
  subcommands: [decode],
};
