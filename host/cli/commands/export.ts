import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FaztError } from '../../../hal/contracts/errors.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { CARTRIDGE_FILE } from '../../hub/hub.js';
import { Cartridge } from '../../store/cartridge.js';
import { exportBundle } from '../../store/export-bundle.js';
import { plainSystemError } from '../../system-error.js';
import { UsageError, type Command } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';

const runs = (rs: { from: number; to: number }[]) => rs.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}..${r.to}`)).join(', ');

export const exportCommand: Command = {
  name: 'export',
  summary: "Write one chain's entries and the signed checkpoints that prove them, to verify offline",
  usage: 'fazt export --node ID -o FILE [--since SEQ] [--data DIR] [--json]',
  help: [
    'The bundle (deterministic CBOR, format fazt/bundle/v1, see the README) holds the entries of one',
    "node's chain, or of the hub's own (its id, fazt hub prints it), and each batch's signed head.",
    '`fazt event verify FILE` checks it with no hub. Entries stored before checkpoints existed (migration',
    '13) have no signature: export says which, and verify reports them unverifiable.',
  ].join('\n'),
  options: {
    data: DATA_OPTION,
    node: { type: 'string', value: 'ID', description: "the node's id, or the hub's own for its chain" },
    since: { type: 'string', value: 'SEQ', description: 'start at this seq (from the start of the checkpoint that holds it; default 1)' },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'the bundle to write (FILE must not exist)' },
    json: { type: 'boolean', description: 'print the result as one JSON object' },
  },
  run: ({ positionals, values, out }) => {
    if (positionals.length > 0) throw new UsageError('export takes no positional arguments: give --node ID and -o FILE');
    if (typeof values.node !== 'string') throw new UsageError('export needs --node ID (the node, or the hub, whose chain to export)');
    if (typeof values.out !== 'string') throw new UsageError('export needs -o FILE, the bundle to write');
    const since = values.since === undefined ? 1 : Number(values.since);
    if (!Number.isSafeInteger(since) || since < 1) throw new UsageError(`--since must be a seq (a whole number from 1), got '${String(values.since)}'`);
    const file = join(dataFolder(values, { create: false }), CARTRIDGE_FILE);
    if (!existsSync(file)) throw new FaztError('io', `no cartridge at ${file}: give the folder the hub runs with (--data DIR)`);
    const target = resolve(values.out);
    const cartridge = Cartridge.open(file, { crypto: nodeCrypto });
    try {
      const b = exportBundle(cartridge, values.node, since);
      try {
        writeFileSync(target, b.bytes, { flag: 'wx' });
      } catch (e) {
        throw new FaztError('io', `cannot write ${target}: ${plainSystemError(e) ?? (e as Error).message}`);
      }
      const { bytes, ...result } = b;
      if (values.json) {
        out(`${JSON.stringify({ ...result, file: target, size: bytes.length })}\n`);
        return;
      }
      out(`exported ${b.node}, seq ${b.first}..${b.last} (${b.entries} entries, ${b.checkpoints} checkpoint${b.checkpoints === 1 ? '' : 's'}) to ${target}\n`);
      if (b.unsigned.length > 0)
        out(`warning: no checkpoint signs seq ${runs(b.unsigned)} (stored before checkpoints existed): verify reports them unverifiable\n`);
    } finally {
      cartridge.close();
    }
  },
};
