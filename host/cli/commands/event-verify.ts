import { readFileSync } from 'node:fs';
import { batchFromValue } from '../../../firmware/batch/batch.js';
import { verifyBatch } from '../../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../../firmware/codec/cbor-decode.js';
import { parseJson, toJsonValue } from '../../../firmware/codec/json-form.js';
import { fromHex } from '../../../firmware/codec/text-encodings.js';
import { isValueMap, type Value } from '../../../firmware/codec/value.js';
import { FaztError } from '../../../hal/contracts/errors.js';
import { sourceNode, type EventEntry } from '../../../firmware/event/envelope.js';
import { checkLinks } from '../../../firmware/event/verify-chain.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { validateOnHost } from '../../schema/host-validators.js';
import { UsageError, type Command } from '../command.js';

/** The file as a data-model value: CBOR (binary or hex), JSON, or JSON lines. */
function readDocument(bytes: Buffer): Value {
  const text = bytes.toString('utf8').trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    if (text.startsWith('{') && text.includes('\n{'))
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => parseJson(l));
    return parseJson(text);
  }
  if (/^[0-9a-fA-F\s]+$/.test(text)) return decodeCbor(fromHex(text));
  return decodeCbor(new Uint8Array(bytes));
}

export const eventVerifyCommand: Command = {
  name: 'verify',
  summary: 'Verify a signed batch, or the hash chain of a list of events',
  usage: 'fazt event verify <file>',
  help: 'The file holds an uplink batch or an array (or JSON lines) of events, as CBOR (binary or hex) or JSON.\nA batch is checked against its schema, its signature and its chain; events against their schema and chain (events carry no signature of their own).',
  args: '[file]',
  run: ({ positionals, out }) => {
    if (positionals.length !== 1) throw new UsageError('event verify takes exactly one file');
    let bytes: Buffer;
    try {
      bytes = readFileSync(positionals[0]);
    } catch (e) {
      throw new FaztError('io', `cannot read ${positionals[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const doc = readDocument(bytes);
    if (isValueMap(doc) && 'sig' in doc) {
      validateOnHost('uplinkBatch', toJsonValue(doc));
      const b = batchFromValue(doc);
      verifyBatch(b, { crypto: nodeCrypto });
      out(`ok: batch from ${b.node}, seq ${b.first}..${b.last} (${b.entries.length} entries), signature and chain valid\n`);
      return;
    }
    const list = Array.isArray(doc) ? doc : [doc];
    list.forEach((e) => validateOnHost('event', toJsonValue(e)));
    const entries = list as unknown as EventEntry[];
    const node = sourceNode(entries[0].source);
    checkLinks(node, entries, nodeCrypto);
    out(
      `ok: ${entries.length} events from ${node}, seq ${entries[0].seq}..${entries[entries.length - 1].seq}, ids and chain valid (unsigned: no signature checked)\n`,
    );
  },
};

export const eventCommand: Command = {
  name: 'event',
  summary: 'Work with events and batches',
  usage: 'fazt event <verify>',
  subcommands: [eventVerifyCommand],
};
