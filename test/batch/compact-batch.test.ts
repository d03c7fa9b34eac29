import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchFromValue, batchToValue, createBatch, type Batch } from '../../firmware/batch/batch.js';
import { CompactBatchEncoder } from '../../firmware/batch/batch-encoder.js';
import { compactBatchFromValue, compactBatchToValue } from '../../firmware/batch/compact-batch.js';
import { type CompactDictionary, dictionaryOf, type DictionaryItem, itemKey, itemOf } from '../../firmware/batch/compact-dictionary.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import type { Value } from '../../firmware/codec/value.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import { VerifyError } from '../../firmware/errors.js';
import type { EventClock } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { compactVectors } from '../helpers/vectors.js';

const id = identityFromSecretKey(new Uint8Array(32).fill(3), nobleCrypto);
const crypto = nobleCrypto;

function dictionaryFor(b: Batch): CompactDictionary {
  const seen = new Set<string>();
  const items: DictionaryItem[] = [];
  for (const item of b.entries.map(itemOf))
    if (!seen.has(itemKey(item))) {
      seen.add(itemKey(item));
      items.push(item);
    }
  return dictionaryOf(items, crypto);
}

function roundTrip(b: Batch, d = dictionaryFor(b), inline = false): { bytes: Uint8Array; back: Batch } {
  const bytes = encodeCbor(compactBatchToValue(b, d, inline));
  const back = compactBatchFromValue(decodeCbor(bytes), crypto, () => d).batch;
  return { bytes, back };
}

/** 32 readings of a BME280 as a node records them: three names, values like 21.37, one every 10 s in turn. */
function bmeBatch(n: number, startSeq = 0): Batch {
  let t = Date.UTC(2026, 11, 6, 12);
  const log = new EventLog({ nodeId: id.id, crypto, clock: () => t, clockSource: () => 'hub' });
  for (let i = 0; i < startSeq; i++) log.append('system.boot', 'node', {});
  const names: [string, string, (i: number) => number][] = [
    ['temperature', 'Cel', (i) => Math.round((21 + Math.sin(i / 5) * 2) * 100) / 100],
    ['humidity', '%RH', (i) => Math.round((45 + Math.cos(i / 7) * 5) * 1000) / 1000],
    ['pressure', 'Pa', (i) => 101325 + i * 3],
  ];
  const es = Array.from({ length: n }, (_, i) => {
    t += 10_000;
    const [name, unit, value] = names[i % 3];
    return log.append('sensor.reading', 'bme280', { name, unit, value: value(i), quality: 'good', time: t });
  });
  return createBatch(es, id, crypto);
}

describe('the compact batch form', () => {
  it('rebuilds every entry exactly: ids, prevs, hashes, the full CBOR byte for byte, and the batch verifies', () => {
    let t = 1_800_000_000_000;
    let clock: EventClock | undefined;
    const log = new EventLog({ nodeId: id.id, crypto, clock: () => t, clockSource: () => clock as EventClock });
    const plain = new EventLog({ nodeId: id.id, crypto, clock: () => t });
    const es = [
      plain.append('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 2 }),
      plain.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21.37, quality: 'good', time: t }),
    ];
    const chained = new EventLog({ nodeId: id.id, crypto, clock: () => t, clockSource: () => clock as EventClock, head: plain.head });
    clock = 'unsynced';
    t += 500;
    es.push(chained.append('sensor.reading', 'bme280', { name: 'humidity', unit: '%RH', value: -0, quality: 'uncertain', time: t - 20, flags: ['stuck'] }));
    clock = 'hub';
    t -= 3000; // a reading stamped before the previous entry
    es.push(chained.append('sensor.reading', 'pir', { name: 'motion', value: true, quality: 'bad', time: t }));
    es.push(chained.append('sensor.reading', 'pir', { name: 'label', value: 'hall', quality: 'good', time: t, flags: [] }));
    es.push(chained.append('sensor.reading', 'big', { name: 'count', value: 2 ** 60, quality: 'good', time: t }));
    // Reading-like data a column could not carry stays whole: an extra key, a quality outside the three.
    es.push(chained.append('sensor.reading', 'odd', { name: 'x', value: 1, quality: 'good', time: t, extra: 1 }));
    es.push(chained.append('sensor.state', 'bme280', { from: 'starting', to: 'ok', reason: 'first reading' }));
    es.push(chained.append('effect.gpio', 'relay', { pin: 26, level: 1, token: new Uint8Array([0, 255]) }));
    void log;
    const b = createBatch(es, id, crypto);
    for (const inline of [true, false]) {
      const { back } = roundTrip(b, dictionaryFor(b), inline);
      assert.equal(toHex(encodeCbor(batchToValue(back))), toHex(encodeCbor(batchToValue(b))));
      assert.deepStrictEqual(
        verifyBatch(back, { crypto }).fresh.map((e) => e.id),
        es.map((e) => e.id),
      );
    }
  });

  it('passes the vectors: full ↔ compact, inline and by hash, and the dictionary hash', () => {
    const d = dictionaryOf(compactVectors.dictionary.items as DictionaryItem[], crypto);
    assert.equal(toHex(d.hash), compactVectors.dictionary.hash);
    for (const v of compactVectors.batches) {
      const b = batchFromValue(decodeCbor(fromHex(v.full)));
      assert.equal(toHex(encodeCbor(compactBatchToValue(b, d, true))), v.inline, v.name);
      assert.equal(toHex(encodeCbor(compactBatchToValue(b, d, false))), v.byHash, v.name);
      for (const hex of [v.inline, v.byHash]) {
        const back = compactBatchFromValue(decodeCbor(fromHex(hex)), crypto, () => d).batch;
        assert.equal(toHex(encodeCbor(batchToValue(back))), v.full, v.name);
      }
    }
  });

  it('carries 32 BME280 readings in at most 24 bytes each once the hub holds the dictionary', () => {
    const b = bmeBatch(32);
    const full = encodeCbor(batchToValue(b)).length / 32;
    const { bytes } = roundTrip(b);
    const perReading = bytes.length / 32;
    assert.ok(perReading <= 24, `compact: ${perReading.toFixed(1)} B a reading (full: ${full.toFixed(1)} B)`);
    assert.ok(full > 150, `full: ${full.toFixed(1)} B`);
  });

  it('refuses a batch naming a dictionary the receiver does not hold, as unknown-dictionary', () => {
    const b = bmeBatch(4);
    const bytes = encodeCbor(compactBatchToValue(b, dictionaryFor(b), false));
    assert.throws(
      () => compactBatchFromValue(decodeCbor(bytes), crypto, () => undefined),
      (e: unknown) => e instanceof VerifyError && e.code === 'unknown-dictionary' && /send it whole/.test(e.message),
    );
  });

  it('refuses malformed compact batches, naming the field, and two encodings of one entry', () => {
    const b = bmeBatch(3);
    const d = dictionaryFor(b);
    const good = compactBatchToValue(b, d, true) as Value[];
    const entries = good[8] as Value[][];
    const cases: [string, (v: Value[]) => void, RegExp][] = [
      ['form', (v) => (v[0] = 3), /form must be 2/],
      ['short key', (v) => (v[1] = new Uint8Array(31)), /key must be 32 bytes/],
      ['index', (v) => ((v[8] as Value[][])[0][0] = 9), /entry 0 index/],
      ['default quality stated', (v) => ((v[8] as Value[][])[1] = [...entries[1], 0]), /default quality/],
      ['empty extras', (v) => ((v[8] as Value[][])[1] = [...entries[1], 1, {}]), /non-empty map/],
      ['unknown extra', (v) => ((v[8] as Value[][])[1] = [...entries[1], 1, { z: 1 }]), /unknown key 'z'/],
      ['time before the epoch', (v) => ((v[8] as Value[][])[0][1] = -1), /entry 0 time/],
      ['bad dictionary item', (v) => (v[6] = [['sensor.reading']]), /dictionary item 0/],
      ['no entries', (v) => (v[8] = []), /1 to 512 entries/],
      [
        'a reading carried whole against a plain item',
        (v) => {
          v[6] = [['sensor.reading', 'bme280']];
          v[8] = [[0, b.entries[0].time, b.entries[0].data]];
        },
        /entry 0 carries reading data whole/,
      ],
    ];
    for (const [name, mutate, message] of cases) {
      const v = decodeCbor(encodeCbor(good)) as Value[];
      mutate(v);
      assert.throws(
        () => compactBatchFromValue(decodeCbor(encodeCbor(v)), crypto, () => d),
        (e: unknown) => e instanceof VerifyError && e.code === 'malformed' && message.test(e.message),
        name,
      );
    }
  });

  it('a changed value rebuilds to entries that fail as tampered; a changed key fails the signature', () => {
    const b = bmeBatch(4);
    const d = dictionaryFor(b);
    const v = compactBatchToValue(b, d, false) as Value[];
    (v[8] as Value[][])[3][2] = 99.5;
    const tampered = compactBatchFromValue(decodeCbor(encodeCbor(v)), crypto, () => d).batch;
    assert.throws(
      () => verifyBatch(tampered, { crypto }),
      (e: unknown) => e instanceof VerifyError && e.code === 'tampered',
    );
    const w = compactBatchToValue(b, d, true) as Value[];
    w[1] = identityFromSecretKey(new Uint8Array(32).fill(4), crypto).publicKey;
    const forged = compactBatchFromValue(decodeCbor(encodeCbor(w)), crypto, () => d).batch;
    assert.throws(
      () => verifyBatch(forged, { crypto }),
      (e: unknown) => e instanceof VerifyError && e.code === 'bad-signature',
    );
  });

  it('the node encoder sends its dictionary whole until a batch is accepted, then its hash; a hub without it gets it whole at once', () => {
    const enc = new CompactBatchEncoder(crypto);
    const inline = (bytes: Uint8Array) => Array.isArray((decodeCbor(bytes) as Value[])[6]);
    const b = bmeBatch(6);
    assert.ok(inline(enc.encode(b)), 'first batch carries the dictionary');
    assert.ok(inline(enc.encode(b)), 'not yet accepted: again');
    enc.accepted();
    assert.ok(!inline(enc.encode(b)), 'accepted: by hash');
    assert.equal(enc.refused('chain-broken'), false);
    assert.equal(enc.refused('unknown-dictionary'), true, 'named by hash: send whole at once');
    assert.ok(inline(enc.encode(b)));
    assert.equal(enc.refused('unknown-dictionary'), false, 'sent whole and still refused: back off');
    enc.accepted();
    // A new item (a boot) changes the dictionary: whole again, and the old items keep their indexes.
    const grown = createBatch(
      [
        ...bmeBatch(6).entries,
        new EventLog({ nodeId: id.id, crypto, clock: () => 1, head: { seq: 6, hash: bmeBatch(6).head } }).append('system.boot', 'node', {}),
      ],
      id,
      crypto,
    );
    const v = decodeCbor(enc.encode(grown)) as Value[];
    assert.ok(Array.isArray(v[6]));
    assert.deepStrictEqual((v[6] as Value[]).slice(0, 3), [
      ['sensor.reading', 'bme280', 'temperature', 'Cel'],
      ['sensor.reading', 'bme280', 'humidity', '%RH'],
      ['sensor.reading', 'bme280', 'pressure', 'Pa'],
    ]);
  });
});
