import { readFileSync } from 'node:fs';
import { toHex } from '../../../firmware/codec/text-encodings.js';
import { identityFromSecretKey, nodeIdFromPublicKey } from '../../../firmware/identity/node-id.js';
import { nodeConfigFromJson, type NodeConfig } from '../../../firmware/node/node-config.js';
import type { SensorConfig } from '../../../firmware/sensing/open-sensor.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { checkNodeConfig, describeProblems, type NodeConfigProblem } from '../../node-config/node-config-check.js';
import { UsageError, type Command } from '../command.js';

/** Where a sensor is: its I2C address or its GPIO. */
const where = (s: SensorConfig): string => (s.i2c ? `i2c 0x${s.i2c.address.toString(16).padStart(2, '0')}` : `GPIO ${s.pin}`);

/** What a good configuration is, without its secret. */
function summary(c: NodeConfig): Record<string, unknown> {
  const id = identityFromSecretKey(c.secretKey, nodeCrypto);
  return {
    node: id.id,
    publicKey: toHex(id.publicKey),
    name: c.name ?? null,
    board: c.board,
    sensors: c.sensors.map((s) => ({ name: s.name, driver: s.driver, at: where(s) })),
    hub: { mode: c.hub.url ? 'url' : 'beacon', url: c.hub.url ?? null, publicKey: toHex(c.hub.publicKey), enrols: c.hub.token !== undefined },
    otherHubs: (c.otherHubs ?? []).map((h) => ({ id: nodeIdFromPublicKey(h.publicKey, nodeCrypto), url: h.url ?? null, publicKey: toHex(h.publicKey) })),
  };
}

/** The owner's other hubs as a line (none: nothing). */
const others = (hubs: { url: string | null; publicKey: string }[]): string =>
  hubs.length
    ? `other hubs (keys trusted${hubs.some((h) => h.url) ? ', uplink fails over in this order' : ''}): ${hubs.map((h) => `${h.url ?? 'no url'} (key ${h.publicKey.slice(0, 16)}…)`).join(', ')}\n`
    : '';

export const nodeCheckCommand: Command = {
  name: 'check',
  summary: 'Check a node configuration: schema, board, pins and buses, keys (never prints the secret)',
  usage: 'fazt node check <node.json> [--json]',
  help: [
    'Every problem is a line naming its path, e.g. sensors[1].pin: GPIO 11 is wired to the SPI flash on',
    "esp32-devkitc; the examples' placeholder keys are problems too (fazt node init makes real ones).",
    'Exit 1 with problems, 0 when the node is ready for fazt sim node --config and fazt firmware build.',
  ].join('\n'),
  args: '[file]',
  options: { json: { type: 'boolean', description: 'print {ok, problems, …summary} as JSON' } },
  run: ({ positionals, values, out, err }) => {
    const file = positionals[0];
    if (file === undefined || positionals.length > 1) throw new UsageError('give exactly one node configuration file');
    let doc: unknown;
    let problems: NodeConfigProblem[];
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
      problems = checkNodeConfig(doc);
    } catch (e) {
      problems = [{ path: '(file)', kind: 'file', message: (e as Error).message.split('\n')[0] }];
    }
    if (problems.length) {
      if (values.json) out(`${JSON.stringify({ ok: false, file, problems })}\n`);
      else err(`${describeProblems(problems, file)}\n`);
      return 1;
    }
    const s = summary(nodeConfigFromJson(doc));
    if (values.json) out(`${JSON.stringify({ ok: true, file, ...s })}\n`);
    else {
      const hub = s.hub as { mode: string; url: string | null; publicKey: string; enrols: boolean };
      const sensors = (s.sensors as { name: string; driver: string; at: string }[]).map((x) => `${x.name} (${x.driver}, ${x.at})`).join(', ');
      out(
        `ok ${file}: node ${String(s.node)}${s.name ? ` '${String(s.name)}'` : ''} on ${String(s.board)}\n` +
          `sensors: ${sensors || 'none'}\n` +
          `hub: ${hub.url ? hub.url : `found by Beacon (key ${hub.publicKey.slice(0, 16)}…)`}, ${hub.enrols ? 'enrols with its invite token' : 'no invite token (already enrolled)'}\n` +
          others(s.otherHubs as { url: string | null; publicKey: string }[]),
      );
    }
    return 0;
  },
};
