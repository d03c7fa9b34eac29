import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { stringifyJson } from '../../firmware/codec/json-form.js';
import type { Value } from '../../firmware/codec/value.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { readingColumns, readingData } from '../../host/store/reading-columns.js';
import { tempDir, TestNode } from '../hub/helpers.js';

const tmp = tempDir('fazt-columns-');
after(() => tmp.cleanup());

const T = 1_767_225_600_000;
const fits: Value[] = [
  { name: 'temperature', unit: 'Cel', value: 21.37, quality: 'good', time: T },
  { name: 'pressure', unit: 'hPa', value: 1013, quality: 'uncertain', time: T - 500, flags: ['spike', 'stuck'] },
  { name: 'humidity', value: 40.5, quality: 'bad', time: T },
  { name: 'count', value: 2 ** 60, quality: 'good', time: T },
  { name: 'half', unit: 'V', value: 0.5, quality: 'good', time: T, flags: [] },
  { name: 'neg', value: -1e-300, quality: 'good', time: 0 },
];
const keepsCbor: [string, Value][] = [
  ['−0 (a REAL column holds 0)', { name: 'x', value: -0, quality: 'good', time: T }],
  ['a boolean value', { name: 'motion', value: true, quality: 'good', time: T }],
  ['a text value', { name: 'door', value: 'open', quality: 'good', time: T }],
  ['NaN', { name: 'x', value: Number.NaN, quality: 'good', time: T }],
  ['a key outside the schema', { name: 'x', value: 1, quality: 'good', time: T, extra: 1 }],
  ['an unknown quality', { name: 'x', value: 1, quality: 'great', time: T }],
  ['a fractional time', { name: 'x', value: 1, quality: 'good', time: 1.5 }],
  ['a unit that is not text', { name: 'x', unit: 7, value: 1, quality: 'good', time: T }],
  ['flags that are not text', { name: 'x', value: 1, quality: 'good', time: T, flags: [1] }],
  ['no name', { value: 1, quality: 'good', time: T }],
  ['not a map', [1, 2]],
];

describe("a reading's data as columns", () => {
  it('gives back exactly the signed bytes, and the JSON form key for key', () => {
    for (const d of fits) {
      const cols = readingColumns(d, T);
      assert.ok(cols, JSON.stringify(d));
      const back = readingData(cols, T);
      assert.deepStrictEqual(encodeCbor(back), encodeCbor(d));
      assert.equal(stringifyJson(back), stringifyJson(decodeCbor(encodeCbor(d))), 'keys in the order decoding gives them');
    }
    assert.equal(readingColumns(fits[0], T)?.readingTime, null, "the event's own time is not stored twice");
  });

  it('is refused where columns would change the data: the row keeps its CBOR', () => {
    for (const [why, d] of keepsCbor) assert.equal(readingColumns(d, T), undefined, why);
  });

  it('through the ingest: every shape reads back as signed, the ones columns hold as columns', () => {
    const c = Cartridge.open(join(tmp.dir, 'c.db'));
    const n = new TestNode(81, () => 'rtc');
    c.addNode(n.identity.publicKey);
    // Past verification whatever the schema let through (NaN has no JSON form, so no uplink carries it).
    for (const [why, d] of [...fits.map((d) => ['', d] as const), ...keepsCbor]) if (why !== 'NaN') n.record('sensor.reading', 'probe', d, T);
    n.record('sensor.state', 'probe', { sensor: 'probe', state: 'ok' }, T);
    c.ingestBatch(n.batch(1, n.entries.length));
    const chain = [...c.chain(n.id)];
    assert.deepStrictEqual(chain, n.entries);
    assert.deepStrictEqual(
      chain.map((e) => [encodeCbor(entryToValue(e)), stringifyJson(entryToValue(e))]),
      // As a store that keeps the data's CBOR serves it: the data as decoding its bytes gives it.
      n.entries.map((e) => [encodeCbor(entryToValue(e)), stringifyJson(entryToValue({ ...e, data: decodeCbor(encodeCbor(e.data)) }))]),
    );
    assert.deepStrictEqual(c.db.prepare('SELECT seq FROM entries WHERE data IS NULL ORDER BY seq').pluck().all(), [1, 2, 3, 4, 5, 6]);
    c.close();
  });
});
