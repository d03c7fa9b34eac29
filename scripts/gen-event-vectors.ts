/**
 * Writes test/vectors/{events,batches,compact,identity}.json from fixed seeds. Run
 * only when the event format changes on purpose (`node --import tsx
 * scripts/gen-event-vectors.ts`); the tests then pin these bytes on Node and
 * on XS. Identity starts from RFC 8032 §7.1 test 1, so the key bytes are
 * independent of this code.
 */
import { writeFileSync } from 'node:fs';
import { batchToValue, createBatch } from '../firmware/batch/batch.js';
import { compactBatchToValue } from '../firmware/batch/compact-batch.js';
import { dictionaryOf, itemKey, itemOf } from '../firmware/batch/compact-dictionary.js';
import { encodeCbor } from '../firmware/codec/cbor-encode.js';
import { stringifyJson } from '../firmware/codec/json-form.js';
import { fromHex, toHex } from '../firmware/codec/text-encodings.js';
import { nobleCrypto } from '../firmware/crypto/noble-crypto.js';
import { entryHash, entryToValue, type EventClock, type EventEntry } from '../firmware/event/envelope.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';

const dir = new URL('../test/vectors/', import.meta.url);
const rfc8032 = {
  secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  message: '',
  signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};
const id = identityFromSecretKey(fromHex(rfc8032.secretKey), nobleCrypto);
const second = identityFromSecretKey(new Uint8Array(32).fill(7), nobleCrypto);
writeFileSync(
  new URL('identity.json', dir),
  JSON.stringify(
    [
      { name: 'RFC 8032 §7.1 test 1', ...rfc8032, nodeId: id.id },
      {
        name: 'seed of 32 × 0x07',
        secretKey: toHex(second.secretKey),
        publicKey: toHex(second.publicKey),
        message: '66617a74',
        signature: toHex(nobleCrypto.sign(fromHex('66617a74'), second.secretKey)),
        nodeId: second.id,
      },
    ],
    null,
    1,
  ) + '\n',
);

let t = 1767225600000; // 2026-01-01T00:00:00Z
const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => (t += 1000) });
const entries: EventEntry[] = [
  log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 22.4, quality: 'good', time: 1767225600500 }),
  log.append('sensor.reading', 'bme280', { name: 'humidity', unit: '%RH', value: 41.5, quality: 'good', time: 1767225600500 }),
  log.append('sensor.reading', 'bme280', { name: 'pressure', unit: 'Pa', value: 101325, quality: 'good', time: 1767225600500 }),
  log.append('sensor.reading', 'pir', { name: 'motion', value: true, quality: 'good', time: 1767225601200 }),
  log.append('system.boot', 'node', {}),
  log.append('percept.stable', 'bme280', { text: '22,4 °C — stable', since: 1767225000000 }),
  log.append('effect.gpio', 'relay', { pin: 26, level: 1, token: new Uint8Array([0, 1, 2, 254, 255]) }),
  log.append('pulse.beat', 'node', { status: 'degraded', heap: -1, issues: [{ code: 'sensor.stuck', n: 9007199254740991 }], drift: -0.25 }),
  log.append('sensor.reading', 'sht4x', { name: 'humidity', unit: '%RH', value: 99.99, quality: 'uncertain', time: 1767225609000, flags: ['range'] }),
];
// The same chain continued by a log that names its clock (the optional `clock` field, part of the hash only when present).
let source: EventClock = 'unsynced';
const clocked = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => (t += 1000), clockSource: () => source, head: log.head });
entries.push(clocked.append('system.boot', 'node', { firmware: '0.1.0' }));
source = 'hub';
entries.push(clocked.append('system.clock', 'clock', { source: 'hub', offsetMs: 7200000, rttMs: 12, stepMs: 7200000 }));
source = 'rtc';
entries.push(clocked.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 22.5, quality: 'good', time: 1767225612000 }));
writeFileSync(
  new URL('events.json', dir),
  JSON.stringify(
    entries.map((e) => ({
      name: `${e.type} seq ${e.seq}`,
      json: stringifyJson(entryToValue(e)),
      cbor: toHex(encodeCbor(entryToValue(e))),
      hash: toHex(entryHash(e, nobleCrypto)),
    })),
    null,
    1,
  ) + '\n',
);

const batches = [
  { name: 'first batch, seq 1..4', entries: entries.slice(0, 4), known: null },
  { name: 'continuation, seq 5..8', entries: entries.slice(4, 8), known: { seq: 4, hash: toHex(entryHash(entries[3], nobleCrypto)) } },
  { name: 'single entry, seq 9', entries: entries.slice(8, 9), known: { seq: 8, hash: toHex(entryHash(entries[7], nobleCrypto)) } },
  { name: 'entries naming their clock, seq 10..12', entries: entries.slice(9), known: { seq: 9, hash: toHex(entryHash(entries[8], nobleCrypto)) } },
];
writeFileSync(
  new URL('batches.json', dir),
  JSON.stringify(
    batches.map((b) => {
      const v = batchToValue(createBatch(b.entries, id, nobleCrypto));
      return { name: b.name, json: stringifyJson(v), cbor: toHex(encodeCbor(v)), known: b.known };
    }),
    null,
    1,
  ) + '\n',
);
// The compact form of the same batches (firmware/batch/compact-batch.ts), against one dictionary of every item they use.
const dictionary = dictionaryOf(
  entries.map(itemOf).filter((item, i, all) => all.findIndex((x) => itemKey(x) === itemKey(item)) === i),
  nobleCrypto,
);
writeFileSync(
  new URL('compact.json', dir),
  JSON.stringify(
    {
      dictionary: { items: dictionary.items, hash: toHex(dictionary.hash) },
      batches: batches.map((b) => {
        const batch = createBatch(b.entries, id, nobleCrypto);
        return {
          name: b.name,
          full: toHex(encodeCbor(batchToValue(batch))),
          inline: toHex(encodeCbor(compactBatchToValue(batch, dictionary, true))),
          byHash: toHex(encodeCbor(compactBatchToValue(batch, dictionary, false))),
        };
      }),
    },
    null,
    1,
  ) + '\n',
);
console.log(`wrote ${entries.length} events, ${batches.length} batches (full and compact), 2 identities`);
