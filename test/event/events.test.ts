import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { parseJson, toJsonValue } from '../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import { toCloudEvent } from '../../firmware/event/cloudevents.js';
import { entryHash, entryToValue, GENESIS_PREV, idFromHash, type EventClock, type EventEntry } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { toSenml } from '../../firmware/event/reading.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { checkDocument } from '../../firmware/schema/validate.js';
import { eventVectors } from '../helpers/vectors.js';

const id = identityFromSecretKey(new Uint8Array(32).fill(1), nobleCrypto);

describe('event vectors', () => {
  for (const v of eventVectors) {
    it(`${v.name}: JSON → CBOR bytes, hash and id`, () => {
      const value = parseJson(v.json) as ValueMap;
      assert.equal(toHex(encodeCbor(value)), v.cbor);
      assert.deepStrictEqual(decodeCbor(fromHex(v.cbor)), value);
      const e = value as unknown as EventEntry;
      assert.equal(toHex(entryHash(e, nobleCrypto)), v.hash);
      assert.equal(e.id, idFromHash(fromHex(v.hash)));
      assert.equal(checkDocument('event', toJsonValue(value)), null);
    });
  }
  it('each vector links to the one before', () => {
    for (let i = 1; i < eventVectors.length; i++) {
      const e = parseJson(eventVectors[i].json) as unknown as EventEntry;
      assert.equal(toHex(e.prev), eventVectors[i - 1].hash);
    }
  });
});

describe('EventLog', () => {
  it('numbers from 1 without gaps and chains each entry to the last', () => {
    let t = 1000;
    const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => t++ });
    const a = log.append('system.boot', 'node', {});
    const b = log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21.5, quality: 'good', time: 999 });
    assert.equal(a.seq, 1);
    assert.deepStrictEqual(a.prev, GENESIS_PREV);
    assert.equal(b.seq, 2);
    assert.deepStrictEqual(b.prev, entryHash(a, nobleCrypto));
    assert.equal(a.time, 1000);
    assert.equal(b.source, `${id.id}/bme280`);
    assert.equal(log.head.seq, 2);
  });
  it('takes time from the injected clock unless the caller gives one', () => {
    const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => 42 });
    assert.equal(log.append('system.boot', 'node', {}).time, 42);
    assert.equal(log.append('system.boot', 'node', {}, 7).time, 7);
  });
  it('continues from a restored head', () => {
    const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => 1, head: { seq: 41, hash: new Uint8Array(32).fill(9) } });
    const e = log.append('system.boot', 'node', {});
    assert.equal(e.seq, 42);
    assert.deepStrictEqual(e.prev, new Uint8Array(32).fill(9));
  });
  it('refuses types outside the namespaces, bad components and bad times, naming them', () => {
    const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => 1 });
    assert.throws(() => log.append('reading', 'x', {}), /type 'reading'/);
    assert.throws(() => log.append('sensor.reading', 'Bad Name', {}), /component 'Bad Name'/);
    assert.throws(() => log.append('system.boot', 'node', {}, -5), /time must be/);
    assert.throws(() => new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: 5 as unknown as () => number }), /clock/);
    assert.equal(log.head.seq, 0, 'nothing appended by refused calls');
  });
  it('writes the clock source into each entry when given one, and hashes it; without one, no clock field', () => {
    let source: EventClock = 'unsynced';
    const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => 1000, clockSource: () => source });
    const a = log.append('system.boot', 'node', {});
    source = 'hub';
    const b = log.append('system.boot', 'node', {});
    assert.deepStrictEqual([a.clock, b.clock], ['unsynced', 'hub']);
    assert.deepStrictEqual(entryToValue(a), { id: a.id, type: a.type, source: a.source, time: 1000, clock: 'unsynced', seq: 1, prev: GENESIS_PREV, data: {} });
    const bare = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => 1000 }).append('system.boot', 'node', {});
    assert.ok(!('clock' in bare) && !('clock' in (entryToValue(bare) as ValueMap)), 'no clock field, not even undefined');
    const { clock: _c, ...withoutClock } = a;
    assert.notEqual(toHex(entryHash(a, nobleCrypto)), toHex(entryHash(withoutClock, nobleCrypto)), 'the clock is part of the hash when present');
    assert.equal(
      toHex(entryHash({ ...withoutClock, clock: undefined }, nobleCrypto)),
      toHex(entryHash(withoutClock, nobleCrypto)),
      'an undefined clock is an absent one',
    );
    assert.equal(idFromHash(entryHash(withoutClock, nobleCrypto)), bare.id, 'absent: the hash of the form without the field');
  });
  it('refuses a clock source that answers something else, naming it', () => {
    const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => 1, clockSource: () => 'gps' as EventClock });
    assert.throws(
      () => log.append('system.boot', 'node', {}),
      (e: unknown) => e instanceof RangeError && /clockSource returned 'gps'/.test(e.message),
    );
    assert.equal(log.head.seq, 0);
    assert.throws(
      () => new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => 1, clockSource: 'hub' as unknown as () => EventClock }),
      (e: unknown) => e instanceof TypeError && /clockSource/.test(e.message),
    );
  });
});

describe('exports', () => {
  const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
  const e = log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 22.4, quality: 'good', time: 0 });
  it('CloudEvents 1.0 structured mode', () => {
    const ce = toCloudEvent(e);
    assert.equal(ce.specversion, '1.0');
    assert.equal(ce.id, e.id);
    assert.equal(ce.source, e.source);
    assert.equal(ce.type, 'sensor.reading');
    assert.equal(ce.time, '2026-01-02T03:04:05.000Z');
    assert.equal(ce.sequence, '1');
    assert.equal(ce.prev, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.deepStrictEqual(ce.data, e.data);
    for (const k of Object.keys(ce)) assert.match(k, /^[a-z0-9]{1,20}$/, 'attribute names per CloudEvents §3.1.1');
  });
  it('CloudEvents: the clock as the faztclock extension, only when the event names one', () => {
    assert.ok(!('faztclock' in toCloudEvent(e)));
    const ce = toCloudEvent({ ...e, clock: 'hub' });
    assert.equal(ce.faztclock, 'hub');
    assert.deepStrictEqual(Object.keys(ce).slice(-2), ['faztclock', 'data']);
  });
  it('SenML pack (RFC 8428): base name, seconds, v/vb by type', () => {
    const pack = toSenml(e.source, [
      { name: 'temperature', unit: 'Cel', value: 22.4, quality: 'good', time: 1500 },
      { name: 'motion', value: true, quality: 'good', time: 2000 },
    ]);
    assert.deepStrictEqual(pack, [
      { bn: `${e.source}/`, n: 'temperature', u: 'Cel', v: 22.4, t: 1.5 },
      { n: 'motion', vb: true, t: 2 },
    ]);
  });
  it('SenML: the clock that stamped t on each record when given', () => {
    const pack = toSenml(e.source, [{ name: 'motion', value: true, quality: 'good', time: 2000 }], 'unsynced');
    assert.deepStrictEqual(pack, [{ bn: `${e.source}/`, n: 'motion', vb: true, t: 2, faztclock: 'unsynced' }]);
  });
});
