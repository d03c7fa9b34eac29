import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseJson, toJsonValue, type JsonValue } from '../firmware/codec/json-form.js';
import { SchemaError } from '../firmware/errors.js';
import type { FIRMWARE_SCHEMAS } from '../firmware/schema/schema-names.js';
import { checkDocument, validateDocument } from '../firmware/schema/validate.js';
import { checkDocumentOnHost } from '../host/schema/host-validators.js';
import {
  GENERATED_PATH,
  GENERATED_TYPES_PATH,
  generateTypes,
  generateValidators,
  HOST_GENERATED_PATH,
  HOST_GENERATED_TYPES_PATH,
} from '../scripts/gen-validators.js';
import { batchVectors, eventVectors } from './helpers/vectors.js';

const event = (): Record<string, JsonValue> => toJsonValue(parseJson(eventVectors[0].json)) as Record<string, JsonValue>;
const batch = (): Record<string, JsonValue> => toJsonValue(parseJson(batchVectors[0].json)) as Record<string, JsonValue>;
const nodeConfig = (): Record<string, JsonValue> => ({
  board: 'esp32-devkitc',
  secretKey: { $bytes: 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE' },
  hub: { url: 'http://127.0.0.1:7070', publicKey: { $bytes: 'AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI' } },
  sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000, filters: [{ sliding_window_moving_average: { window_size: 5 } }] }],
  uplink: { batchSize: 32, maxDelayMs: 5000 },
  buffer: { budgetBytes: 65536 },
});

describe('generated validators', () => {
  it('are up to date with schemas/ (run `npm run gen` if this fails)', () => {
    assert.equal(readFileSync(GENERATED_PATH, 'utf8'), generateValidators());
    assert.equal(readFileSync(GENERATED_TYPES_PATH, 'utf8'), generateTypes());
    assert.equal(readFileSync(HOST_GENERATED_PATH, 'utf8'), generateValidators(true));
    assert.equal(readFileSync(HOST_GENERATED_TYPES_PATH, 'utf8'), generateTypes(true));
  });
  it('carry no ajv runtime (the node has none; the hub does not load it at start-up)', () => {
    assert.doesNotMatch(readFileSync(GENERATED_PATH, 'utf8'), /require\(|from ["']ajv/);
    assert.doesNotMatch(readFileSync(HOST_GENERATED_PATH, 'utf8'), /require\(|from ["']ajv/);
  });
});

interface Case {
  schema: (typeof FIRMWARE_SCHEMAS)[number];
  name: string;
  doc: () => unknown;
  path: string;
  rule: string;
}

const bad: Case[] = [
  { schema: 'event', name: 'type outside the namespaces', doc: () => ({ ...event(), type: 'reading' }), path: '/type', rule: 'pattern' },
  { schema: 'event', name: 'seq 0', doc: () => ({ ...event(), seq: 0 }), path: '/seq', rule: 'minimum' },
  { schema: 'event', name: 'fractional time', doc: () => ({ ...event(), time: 1.5 }), path: '/time', rule: 'type' },
  {
    schema: 'event',
    name: 'prev of 31 bytes',
    doc: () => ({ ...event(), prev: { $bytes: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }),
    path: '/prev/$bytes',
    rule: 'pattern',
  },
  { schema: 'event', name: 'an extra field', doc: () => ({ ...event(), extra: 1 }), path: '/extra', rule: 'additionalProperties' },
  {
    schema: 'event',
    name: 'missing data',
    doc: () => {
      const e = event();
      delete e.data;
      return e;
    },
    path: '/data',
    rule: 'required',
  },
  {
    schema: 'event',
    name: 'a reading with a non-SenML unit',
    doc: () => ({ ...event(), data: { name: 'temperature', unit: 'degC', value: 1, quality: 'good', time: 1 } }),
    path: '/data/unit',
    rule: 'enum',
  },
  {
    schema: 'event',
    name: 'a reading with a bad quality',
    doc: () => ({ ...event(), data: { name: 'temperature', value: 1, quality: 'great', time: 1 } }),
    path: '/data/quality',
    rule: 'enum',
  },
  { schema: 'event', name: 'a clock that is not rtc, hub or unsynced', doc: () => ({ ...event(), clock: 'gps' }), path: '/clock', rule: 'enum' },
  {
    schema: 'uplinkBatch',
    name: 'an entry with a bad clock',
    doc: () => {
      const b = batch();
      (b.entries as Record<string, JsonValue>[])[2].clock = 'ntp';
      return b;
    },
    path: '/entries/2/clock',
    rule: 'enum',
  },
  { schema: 'reading', name: 'an object value', doc: () => ({ name: 'x', value: {}, quality: 'good', time: 1 }), path: '/value', rule: 'type' },
  { schema: 'uplinkBatch', name: 'version 2', doc: () => ({ ...batch(), v: 2 }), path: '/v', rule: 'const' },
  { schema: 'uplinkBatch', name: 'no entries', doc: () => ({ ...batch(), entries: [] }), path: '/entries', rule: 'minItems' },
  {
    schema: 'uplinkBatch',
    name: 'a bad entry inside',
    doc: () => {
      const b = batch();
      (b.entries as Record<string, JsonValue>[])[1].seq = -1;
      return b;
    },
    path: '/entries/1/seq',
    rule: 'minimum',
  },
  { schema: 'uplinkBatch', name: 'a short signature', doc: () => ({ ...batch(), sig: { $bytes: 'AAAA' } }), path: '/sig/$bytes', rule: 'pattern' },
  {
    schema: 'nodeConfig',
    name: 'a sensor with neither bus nor pin',
    doc: () => {
      const c = nodeConfig();
      delete (c.sensors as Record<string, JsonValue>[])[0].i2c;
      return c;
    },
    path: '/sensors/0',
    rule: 'oneOf',
  },
  {
    schema: 'nodeConfig',
    name: 'an I2C address out of range',
    doc: () => {
      const c = nodeConfig();
      ((c.sensors as Record<string, JsonValue>[])[0].i2c as Record<string, JsonValue>).address = 200;
      return c;
    },
    path: '/sensors/0/i2c/address',
    rule: 'maximum',
  },
  {
    schema: 'nodeConfig',
    name: "a clock mode other than rtc or hub ('unsynced' is what events say, not a mode)",
    doc: () => ({ ...nodeConfig(), clock: 'unsynced' }),
    path: '/clock',
    rule: 'enum',
  },
  {
    schema: 'nodeConfig',
    name: 'a tiny buffer budget',
    doc: () => ({ ...nodeConfig(), buffer: { budgetBytes: 10 } }),
    path: '/buffer/budgetBytes',
    rule: 'minimum',
  },
  {
    schema: 'nodeConfig',
    name: 'a hex key one digit short',
    doc: () => ({ ...nodeConfig(), secretKey: '01'.repeat(31) + '0' }),
    path: '/secretKey',
    rule: 'anyOf',
  },
  {
    schema: 'nodeConfig',
    name: 'a hub URL that is not http',
    doc: () => ({ ...nodeConfig(), hub: { url: 'ftp://x', publicKey: { $bytes: 'AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI' } } }),
    path: '/hub/url',
    rule: 'pattern',
  },
];

describe('documents', () => {
  it('good ones pass on the node and on the host', () => {
    for (const [schema, doc] of [
      ['event', event()],
      ['event', { ...event(), clock: 'unsynced' }],
      ['uplinkBatch', batch()],
      ['nodeConfig', nodeConfig()],
      ['nodeConfig', { ...nodeConfig(), clock: 'rtc' }],
      ['nodeConfig', { ...nodeConfig(), secretKey: '01'.repeat(32), hub: { url: 'http://127.0.0.1:7070', publicKey: '02'.repeat(32) } }],
    ] as const) {
      assert.equal(checkDocument(schema, doc), null, schema);
      assert.equal(checkDocumentOnHost(schema, doc), null, schema);
    }
  });
  for (const c of bad) {
    it(`${c.schema}: ${c.name} → ${c.path} (${c.rule}), the same on node and host`, () => {
      const fw = checkDocument(c.schema, c.doc());
      const host = checkDocumentOnHost(c.schema, c.doc());
      assert.ok(fw instanceof SchemaError);
      assert.equal(fw.path, c.path);
      assert.equal(fw.rule, c.rule);
      assert.ok(fw.message.includes(c.path) && fw.message.includes(c.rule), fw.message);
      assert.deepStrictEqual([host?.path, host?.rule], [fw.path, fw.rule]);
    });
  }
  it('validateDocument throws the SchemaError', () => {
    assert.throws(
      () => validateDocument('event', { ...event(), seq: 'one' }),
      (e: unknown) => e instanceof SchemaError && e.path === '/seq',
    );
  });
});
