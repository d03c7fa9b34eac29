/**
 * Bundled for XS by test/xs/xs-core.test.ts: the portable core, driven by
 * commands from the host. Everything here runs inside xsnap-worker.
 */
import { batchFromValue, batchToValue, createBatch } from '../../../firmware/batch/batch.js';
import { verifyBatch } from '../../../firmware/batch/verify-batch.js';
import { compactBatchFromValue, compactBatchToValue } from '../../../firmware/batch/compact-batch.js';
import { dictionaryOf, type DictionaryItem } from '../../../firmware/batch/compact-dictionary.js';
import { EventBus } from '../../../firmware/bus/bus.js';
import { decodeCbor } from '../../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../../firmware/codec/cbor-encode.js';
import { parseJson, stringifyJson, toJsonValue } from '../../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import type { Value } from '../../../firmware/codec/value.js';
import { nobleCrypto } from '../../../firmware/crypto/noble-crypto.js';
import { entryHash, type EventEntry } from '../../../firmware/event/envelope.js';
import { EventLog } from '../../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../../firmware/identity/node-id.js';
import { checkDocument } from '../../../firmware/schema/validate.js';
import type { FirmwareSchemaName } from '../../../firmware/schema/schema-names.js';
import type { Board } from '../../../hal/board/board.js';
import { BoardError, FaztError, IoError } from '../../../hal/contracts/errors.js';
import { CodecError, SchemaError, VerifyError } from '../../../firmware/errors.js';
import { PinClaims } from '../../../hal/board/pin-claims.js';
import type { PinUse } from '../../../hal/board/pin-rules.js';
import { serveCommands } from '../../../sim/xs/xs-guest.js';

const special: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function errorCode(f: () => unknown): string {
  try {
    f();
    return 'none';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

serveCommands({
  /** Facts only XS can give: the host bridge exists, Node's globals do not. */
  engine: () => ({
    issueCommand: typeof (globalThis as { issueCommand?: unknown }).issueCommand,
    process: typeof (globalThis as { process?: unknown }).process,
    require: typeof (globalThis as { require?: unknown }).require,
  }),
  cborEncode: (vs: { json: string | null; value?: string }[]) =>
    vs.map((v) => toHex(encodeCbor(v.json === null ? special[v.value as string] : parseJson(v.json)))),
  cborDecode: (hexes: string[]) =>
    hexes.map((h) => {
      const v = decodeCbor(fromHex(h));
      return typeof v === 'number' && !Number.isFinite(v) ? String(v) : stringifyJson(v);
    }),
  cborRefuse: (hexes: string[]) => hexes.map((h) => errorCode(() => decodeCbor(fromHex(h)))),
  eventHashes: (jsons: string[]) => jsons.map((j) => toHex(entryHash(parseJson(j) as unknown as EventEntry, nobleCrypto))),
  identity: (seedHex: string, messageHex: string) => {
    const id = identityFromSecretKey(fromHex(seedHex), nobleCrypto);
    return { publicKey: toHex(id.publicKey), nodeId: id.id, signature: toHex(nobleCrypto.sign(fromHex(messageHex), id.secretKey)) };
  },
  /** The compact vectors both ways: full → compact (inline and by hash), compact → full; and the dictionary's hash. */
  compactVectors: (items: DictionaryItem[], vs: { full: string; inline: string; byHash: string }[]) => {
    const d = dictionaryOf(items, nobleCrypto);
    return {
      hash: toHex(d.hash),
      batches: vs.map((v) => {
        const b = batchFromValue(decodeCbor(fromHex(v.full)));
        const back = (hex: string) => toHex(encodeCbor(batchToValue(compactBatchFromValue(decodeCbor(fromHex(hex)), nobleCrypto, () => d).batch)));
        return {
          inline: toHex(encodeCbor(compactBatchToValue(b, d, true))),
          byHash: toHex(encodeCbor(compactBatchToValue(b, d, false))),
          fromInline: back(v.inline),
          fromHash: back(v.byHash),
        };
      }),
    };
  },
  verifyBatches: (vs: { cbor: string; known: { seq: number; hash: string } | null }[]) =>
    vs.map((v) => {
      const known = v.known ? { seq: v.known.seq, hash: fromHex(v.known.hash) } : undefined;
      return verifyBatch(batchFromValue(decodeCbor(fromHex(v.cbor))), { crypto: nobleCrypto, known }).fresh.map((e) => e.seq);
    }),
  /**
   * Builds n reading events (each hashed into the chain), then, by stage,
   * stops there ('events'), encodes them as an unsigned batch body ('encode'),
   * or signs and encodes the batch ('sign'): the bench's XS figures.
   */
  batchWork: (seedHex: string, n: number, stage: 'events' | 'encode' | 'sign') => {
    const id = identityFromSecretKey(fromHex(seedHex), nobleCrypto);
    let t = 1767225600000;
    const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => (t += 1000) });
    const es: EventEntry[] = [];
    for (let i = 0; i < n; i++)
      es.push(log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + i / 10, quality: 'good', time: t }));
    if (stage === 'events') return es.length;
    if (stage === 'encode')
      return encodeCbor(es.map((e) => ({ id: e.id, type: e.type, source: e.source, time: e.time, seq: e.seq, prev: e.prev, data: e.data }))).length;
    return toHex(encodeCbor(batchToValue(createBatch(es, id, nobleCrypto))));
  },
  tamperedBatchCodes: (cbor: string) => {
    const code = (mutate: (b: ReturnType<typeof batchFromValue>) => void): string =>
      errorCode(() => {
        const b = batchFromValue(decodeCbor(fromHex(cbor)));
        mutate(b);
        verifyBatch(b, { crypto: nobleCrypto });
      });
    return {
      signature: code((b) => void (b.sig[1] ^= 1)),
      tampered: code((b) => void (b.entries[0].time += 1)),
      reordered: code((b) => void b.entries.reverse()),
      truncated: code((b) => void b.entries.pop()),
      gap: code((b) => void b.entries.splice(1, 1)),
      replay: errorCode(() => {
        const b = batchFromValue(decodeCbor(fromHex(cbor)));
        verifyBatch(b, { crypto: nobleCrypto, known: { seq: b.last, hash: b.head } });
      }),
    };
  },
  schema: (name: FirmwareSchemaName, json: string) => {
    const err = checkDocument(name, toJsonValue(parseJson(json) as Value));
    return err ? { path: err.path, rule: err.rule } : null;
  },
  bus: () => {
    const tasks: (() => void)[] = [];
    const bus = new EventBus({ schedule: (t) => void tasks.push(t) });
    const got: number[] = [];
    const sub = bus.subscribe('sensor.*', (e) => void got.push(e.seq), { capacity: 2 });
    for (let i = 1; i <= 4; i++)
      bus.publish({ id: '', type: i === 3 ? 'system.boot' : 'sensor.reading', source: 's', time: i, seq: i, prev: new Uint8Array(32), data: null });
    while (tasks.length) (tasks.shift() as () => void)();
    return { got, dropped: sub.stats.dropped };
  },
  /** As a Moddable build leaves it: Error.prototype frozen. Every error class must still construct. */
  frozenErrors: () => {
    Object.freeze(Error.prototype);
    const made = [
      new CodecError('x', 'm', 1),
      new SchemaError('s', '/p', 'r', 'm'),
      new VerifyError('gap', 'm'),
      new BoardError('unknown-pin', 'm'),
      new IoError('nack', 'm'),
      new FaztError('c', 'm'),
    ];
    return made.map((e) => `${e.name}:${e.code}`);
  },
  claims: (board: Board, requests: { gpio: number; use: PinUse }[]) => {
    const c = new PinClaims(board);
    return requests.map((r) => errorCode(() => c.claim(r.gpio, r.use)));
  },
});
