import { readdirSync, readFileSync } from 'node:fs';
import { signBeacon } from '../../firmware/beacon/beacon-record.js';
import { buildNotify, buildResponse, buildSearch } from '../../firmware/beacon/ssdp-message.js';
import { batchFromValue } from '../../firmware/batch/batch.js';
import { dictionaryOf, type CompactDictionary, type DictionaryItem } from '../../firmware/batch/compact-dictionary.js';
import { parseBthome } from '../../firmware/ble/bthome.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { splitMessage } from '../../host/chirp/frames.js';
import { inlineCompactValue } from '../../host/chirp/chirp-batch.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { encryptBthome } from '../../sim/ble/bthome-encode.js';

/**
 * Real samples for the fuzzer, made by the project's own encoders or taken
 * from the shared vectors (test/vectors/): what each decoder meets when
 * nothing is wrong. The mutations start from these.
 */
const root = new URL('../../', import.meta.url);
const vectors = (name: string): unknown => JSON.parse(readFileSync(new URL(`test/vectors/${name}`, root), 'utf8'));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface BatchVector {
  json: string;
  cbor: string;
}
interface CompactVectorFile {
  dictionary: { items: DictionaryItem[] };
  batches: { full: string; inline: string; byHash: string }[];
}

const batchVectors = vectors('batches.json') as BatchVector[];
const compactVectors = vectors('compact.json') as CompactVectorFile;

/** The dictionary the compact vectors name by hash: a receiver that holds it reads them. */
export const vectorDictionary: CompactDictionary = dictionaryOf(compactVectors.dictionary.items, nodeCrypto);

export function fullBatchCbor(): Uint8Array[] {
  return batchVectors.map((v) => fromHex(v.cbor));
}

export function compactBatchCbor(): Uint8Array[] {
  return compactVectors.batches.flatMap((b) => [fromHex(b.full), fromHex(b.inline), fromHex(b.byHash)]);
}

export function cborSamples(): Uint8Array[] {
  const shared = (vectors('cbor.json') as { cbor: string }[]).map((v) => fromHex(v.cbor));
  return [...shared, ...fullBatchCbor(), ...compactBatchCbor()];
}

/** Uplink bodies as JSON: the full form as nodes send it, and compact batches in their JSON form. */
export function jsonBatchSamples(): Uint8Array[] {
  const compact = compactBatchCbor().map((b) => text(JSON.stringify(toJsonValue(decodeCbor(b)))));
  return [...batchVectors.map((v) => text(v.json)), ...compact];
}

export function ssdpSamples(): Uint8Array[] {
  const identity = identityFromSecretKey(new Uint8Array(32).fill(7), nodeCrypto);
  const fields = {
    kind: 'hub' as const,
    name: 'fuzz hub',
    board: 'rpi-4',
    version: '0.1.0',
    services: ['uplink', 'enroll', 'time'],
    addresses: [BEACON_SOURCE],
    port: 7070,
    issued: 1_800_000_000_000,
  };
  const alive = signBeacon(fields, identity, nodeCrypto).headers;
  const bye = signBeacon(fields, identity, nodeCrypto, 'bye').headers;
  const st = 'urn:fazt-dev:service:beacon:1';
  const usn = `uuid:${identity.id}::${st}`;
  return [
    buildSearch({ st, mx: 2 }),
    buildSearch({ st: 'ssdp:all', mx: 5, headers: alive }),
    buildNotify({ nts: 'ssdp:alive', nt: st, usn, location: 'http://192.168.1.20:7070/', maxAge: 1800, server: 'fazt/0.1', headers: alive }),
    buildNotify({ nts: 'ssdp:byebye', nt: st, usn, headers: bye }),
    buildResponse({ st, usn, location: 'http://192.168.1.20:7070/', maxAge: 1800, server: 'fazt/0.1', headers: alive }),
  ];
}

/** The address the beacon samples are signed for and, in the fuzz targets, come from. */
export const BEACON_SOURCE = '192.168.1.20';

/** The signed beacon records (FAZT-BEACON's CBOR) and the signature of the first. */
export function beaconSamples(): { records: Uint8Array[]; sig: Uint8Array } {
  const headersOf = (packet: Uint8Array): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const line of new TextDecoder().decode(packet).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) out[line.slice(0, colon)] = line.slice(colon + 1).trim();
    }
    return out;
  };
  const signed = ssdpSamples()
    .map(headersOf)
    .filter((h) => h['FAZT-BEACON'] !== undefined);
  const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));
  return { records: signed.map((h) => b64(h['FAZT-BEACON'])), sig: b64(signed[0]['FAZT-SIG']) };
}

/** Chirp frame streams: each frame as one length byte then its bytes; in order, shuffled, with a repeat. */
export function chirpSamples(): Uint8Array[] {
  const messages = batchVectors.map((v) => encodeCbor(inlineCompactValue(batchFromValue(decodeCbor(fromHex(v.cbor))), nodeCrypto)));
  const streams: Uint8Array[] = [];
  for (const m of messages) {
    const frames = splitMessage(m);
    streams.push(frameStream(frames), frameStream([...frames].reverse()), frameStream([frames[0], ...frames]));
  }
  return streams;
}

function frameStream(frames: readonly Uint8Array[]): Uint8Array {
  const out: number[] = [];
  for (const f of frames) out.push(f.length, ...f);
  return Uint8Array.from(out);
}

export function bthomeSamples(): { packets: Uint8Array[]; mac: string; key: Uint8Array } {
  const v = vectors('bthome.json') as { packets: { hex: string }[]; encrypted: { hex: string; mac: string; key: string }[] };
  const { mac, key } = v.encrypted[0];
  const plain = v.packets.map((p) => fromHex(p.hex));
  const keyBytes = fromHex(key);
  // The plain examples sealed with the vector key, so a mutated ciphertext meets a key that fits.
  const sealed = plain.flatMap((p, i) => {
    const parsed = parseBthome(p);
    if (parsed.encrypted) return [];
    try {
      return [
        encryptBthome(
          parsed.objects.map((o) => ({ id: o.id, value: o.value })),
          mac,
          keyBytes,
          i + 1,
        ),
      ];
    } catch {
      return []; // an object the encoder writes only with its steps or arguments
    }
  });
  return { packets: [...plain, ...v.encrypted.map((e) => fromHex(e.hex)), ...sealed], mac, key: keyBytes };
}

/** The example rules and one rule of every trigger, condition and action kind, as JSON text. */
export function ruleSamples(): Uint8Array[] {
  const dir = new URL('examples/rules/', root);
  const examples = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => new Uint8Array(readFileSync(new URL(f, dir))));
  const series = { node: 'lab', component: 'bme280', name: 'temperature' };
  const every = {
    id: 'every-kind',
    name: 'every kind',
    timeZone: 'Europe/Berlin',
    mode: 'queued',
    cooldown: '30s',
    triggers: [
      { kind: 'event', id: 'btn', type: 'sensor.reading', node: 'desk', component: 'button', match: { value: true } },
      { kind: 'numeric', id: 'hot', series, above: 26, hysteresis: 1, for: '5m' },
      { kind: 'state', id: 'st', series: { node: 'lab', component: 'bme280' }, from: 'ok', to: ['failed', 'absent'], for: 60000 },
      { kind: 'time', id: 'morning', at: '07:30', days: ['mon', 'fri'] },
      { kind: 'cron', id: 'quarter', cron: '*/15 8-18 * * 1-5' },
      { kind: 'absence', id: 'gone', node: 'lab', component: 'bme280', for: '10m' },
    ],
    conditions: [
      {
        kind: 'and',
        conditions: [
          { kind: 'numeric', series, below: 40 },
          { kind: 'not', condition: { kind: 'state', series, is: ['ok'] } },
        ],
      },
      {
        kind: 'or',
        conditions: [
          { kind: 'time', after: '08:00', before: '22:00', days: ['sat'] },
          { kind: 'trigger', ids: ['btn'] },
        ],
      },
    ],
    actions: [
      { kind: 'output', node: 'desk', output: 'relay', op: 'pulse', ms: 500, expires: '1m' },
      { kind: 'output', node: 'desk', pin: 21, op: 'duty', duty: 0.5 },
      { kind: 'delay', for: '2s' },
      { kind: 'webhook', url: 'http://127.0.0.1:8123/hook', body: { a: 1 }, timeout: '5s', retries: 2, backoff: '1s' },
      { kind: 'notify', message: 'lab is hot', title: 'lab', level: 'warning' },
      { kind: 'emit', type: 'custom.hot', component: 'rules', data: { t: 26 } },
    ],
  };
  return [...examples, text(JSON.stringify(every))];
}
