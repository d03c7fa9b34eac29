import { readFileSync } from 'node:fs';
import { uplinkFromValue } from '../../store/parse-batch.js';
import { verifyBatch } from '../../../firmware/batch/verify-batch.js';
import { toJsonValue } from '../../../firmware/codec/json-form.js';
import { isValueMap } from '../../../firmware/codec/value.js';
import { sourceNode, type EventEntry } from '../../../firmware/event/envelope.js';
import { verifyBundle } from '../../store/verify-bundle.js';
import { checkLinks } from '../../../firmware/event/verify-chain.js';
import { FaztError } from '../../../hal/contracts/errors.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { validateOnHost } from '../../schema/host-validators.js';
import { plainSystemError } from '../../system-error.js';
import { UsageError, type Command } from '../command.js';
import { eventsOf, readDocument } from '../event-documents.js';

/** Each node's events, in the order found, with the name a sim run gave it. */
function byNode(found: ReturnType<typeof eventsOf>): Map<string, { entries: EventEntry[]; name?: string }> {
  const nodes = new Map<string, { entries: EventEntry[]; name?: string }>();
  found.forEach(({ event, name }, i) => {
    try {
      validateOnHost('event', toJsonValue(event));
    } catch (e) {
      throw new FaztError((e as FaztError).code ?? 'schema', `event ${i + 1}: ${(e as Error).message}`);
    }
    const entry = event as unknown as EventEntry;
    const node = sourceNode(entry.source);
    const group = nodes.get(node) ?? { entries: [], name };
    group.entries.push(entry);
    nodes.set(node, group);
  });
  return nodes;
}

/**
 * A CBOR array of 4 (0x84) opening with the 14-byte text (0x6e) "fazt/bundle/v1". Two of the three
 * suffice, so a bundle with one byte changed there is still read as one, and refused for it.
 */
function isBundle(bytes: Buffer): boolean {
  const marks = [bytes[0] === 0x84, bytes[1] === 0x6e, bytes.subarray(2, 13).toString('latin1') === 'fazt/bundle'];
  return marks.filter(Boolean).length >= 2;
}

const eventVerifyCommand: Command = {
  name: 'verify',
  summary: 'Verify an exported bundle, a signed batch, or the hash chains of a list of events',
  usage: 'fazt event verify <file>',
  help: [
    'The file holds, as CBOR (binary or hex) or JSON:',
    '  a bundle from fazt export: every entry checked against the checkpoints the node (or hub) signed;',
    '  an uplink batch, full or compact (with its dictionary): checked against its schema, its signature and its chain;',
    '  events: an array or JSON lines of events, a page of the hub API (GET /v1/events > page.json),',
    "  or what fazt sim run -o FILE writes. Each node's events are checked against the event schema and",
    '  their chain (ids, seq, prev links). Events carry no signature of their own: the batch that brought',
    '  them to a hub did.',
  ].join('\n'),
  args: '[file]',
  run: ({ positionals, out }) => {
    if (positionals.length !== 1) throw new UsageError('event verify takes exactly one file');
    let bytes: Buffer;
    try {
      bytes = readFileSync(positionals[0]);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new FaztError(
        'io',
        `cannot read ${positionals[0]}: ${code === 'ENOENT' ? 'no such file (ENOENT)' : (plainSystemError(e) ?? (e as Error).message)}`,
      );
    }
    // A bundle (fazt export) is an array opening with its magic string; it is checked byte for byte, as read.
    if (isBundle(bytes)) {
      const v = verifyBundle(new Uint8Array(bytes), nodeCrypto);
      const gaps = v.gaps.length > 0 ? `, signed gaps ${v.gaps.map((g) => `${g.from}..${g.to}`).join(', ')}` : '';
      out(
        `ok: bundle of ${v.node}, seq ${v.first}..${v.last} (${v.entries} entries, ${v.checkpoints} checkpoint${v.checkpoints === 1 ? '' : 's'}${gaps}), every entry signed and chained\n`,
      );
      return;
    }
    const doc = readDocument(bytes);
    // A compact batch is an array opening with its form, 2; an array of events opens with an event.
    const compact = Array.isArray(doc) && doc[0] === 2;
    if ((isValueMap(doc) && 'sig' in doc) || compact) {
      // A compact batch has to carry its dictionary here: a file has no hub that holds one.
      const b = uplinkFromValue(doc, { crypto: nodeCrypto, dictionary: () => undefined }).batch;
      verifyBatch(b, { crypto: nodeCrypto });
      out(`ok: batch from ${b.node}, seq ${b.first}..${b.last} (${b.entries.length} entries), signature and chain valid\n`);
      return;
    }
    const found = eventsOf(doc);
    const nodes = byNode(found);
    const ranges: string[] = [];
    for (const [node, { entries, name }] of nodes) {
      checkLinks(node, entries, nodeCrypto);
      ranges.push(`${node}${name ? ` (${name})` : ''}, seq ${entries[0].seq}..${entries[entries.length - 1].seq}`);
    }
    const from = nodes.size === 1 ? `from ${ranges[0]}` : `from ${nodes.size} nodes`;
    out(`ok: ${found.length} events ${from}, ids and chain valid (unsigned: no signature checked)\n`);
    if (nodes.size > 1) for (const r of ranges) out(`  ${r}\n`);
  },
};

export const eventCommand: Command = {
  name: 'event',
  summary: 'Work with events and batches',
  usage: 'fazt event <verify>',
  subcommands: [eventVerifyCommand],
};
