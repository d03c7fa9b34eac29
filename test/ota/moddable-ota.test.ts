import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moddableOta, type NativeAppState } from '../../hal/moddable/moddable-ota.js';

/** A stand-in for Moddable's `ota` module: what each call did, in order. */
function standIn() {
  const calls: string[] = [];
  class OTA {
    constructor() {
      calls.push('begin');
    }
    write(data: Uint8Array) {
      calls.push(`write ${data.length}`);
    }
    cancel() {
      calls.push('cancel');
    }
    complete() {
      calls.push('complete');
    }
  }
  return { OTA, calls };
}

describe("the OTA contract over Moddable's ota module (stand-in: no ESP32 here)", () => {
  it('begin, write, complete in order; the size begun with is enforced before complete()', () => {
    const { OTA, calls } = standIn();
    const ota = moddableOta(OTA);
    ota.begin(5);
    ota.write(new Uint8Array(3));
    assert.throws(() => ota.write(new Uint8Array(3)), RangeError);
    assert.throws(() => ota.commit(), /3 of 5 bytes/);
    ota.write(new Uint8Array(2));
    ota.commit();
    assert.deepStrictEqual(calls, ['begin', 'write 3', 'write 2', 'complete']);
    assert.throws(() => ota.write(new Uint8Array(1)), /before begin/);
  });

  it('abort cancels an open write and is harmless without one', () => {
    const { OTA, calls } = standIn();
    const ota = moddableOta(OTA);
    ota.abort();
    ota.begin(4);
    ota.abort();
    ota.begin(4);
    assert.deepStrictEqual(calls, ['begin', 'cancel', 'begin']);
  });

  it('without the native rollback calls nothing is pending and nothing rolled back; with them, they are asked', () => {
    const { OTA } = standIn();
    const plain = moddableOta(OTA);
    assert.equal(plain.pendingVerify, false);
    assert.equal(plain.rolledBackFrom, undefined);
    plain.confirm();
    let confirmed = 0;
    const state: NativeAppState = { pendingVerify: () => confirmed === 0, markValid: () => void confirmed++, rolledBackFrom: () => '0.1.0' };
    const ota = moddableOta(OTA, state);
    assert.equal(ota.pendingVerify, true);
    ota.confirm();
    assert.equal(ota.pendingVerify, false);
    assert.equal(ota.rolledBackFrom, '0.1.0');
  });
});
