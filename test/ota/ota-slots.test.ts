import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OtaSlots } from '../../sim/ota/ota-slots.js';
import { readSimImage, simImageBytes } from '../../sim/ota/sim-image.js';

const v = (version: string) => simImageBytes({ version, healthy: true }, 600);
const slots = () => new OtaSlots(v('1'), (b) => readSimImage(b)?.version);
const version = (b: Uint8Array) => readSimImage(b)?.version;

function install(s: OtaSlots, bytes: Uint8Array): void {
  s.begin(bytes.length);
  s.write(bytes.subarray(0, 100));
  s.write(bytes.subarray(100));
  s.commit();
}

describe("the simulator's two OTA slots (ESP-IDF app rollback)", () => {
  it('boots the factory image valid, nothing pending, nothing rolled back', () => {
    const s = slots();
    assert.equal(version(s.reset()), '1');
    assert.deepStrictEqual(s.states, ['valid', 'empty']);
    assert.equal(s.pendingVerify, false);
    assert.equal(s.rolledBackFrom, undefined);
  });

  it('a committed image boots pending verification and is valid once confirmed; the next update goes to the other slot', () => {
    const s = slots();
    s.reset();
    install(s, v('2'));
    assert.deepStrictEqual(s.states, ['valid', 'new']);
    assert.equal(version(s.reset()), '2');
    assert.equal(s.pendingVerify, true);
    s.confirm();
    assert.deepStrictEqual(s.states, ['valid', 'valid']);
    install(s, v('3'));
    assert.equal(version(s.reset()), '3');
    assert.equal(s.runningSlot, 0);
  });

  it('a reset before confirm rolls back to the previous slot and says from which version', () => {
    const s = slots();
    s.reset();
    install(s, v('2'));
    s.reset();
    assert.equal(version(s.reset()), '1');
    assert.deepStrictEqual(s.states, ['valid', 'aborted']);
    assert.equal(s.rolledBackFrom, '2');
    s.reset();
    assert.equal(s.rolledBackFrom, undefined, 'said at the boot that rolled back only');
  });

  it('refuses a write past the size begun with, a commit short of it, and an update while the running image is unconfirmed', () => {
    const s = slots();
    s.reset();
    s.begin(10);
    assert.throws(() => s.write(new Uint8Array(11)), RangeError);
    s.write(new Uint8Array(4));
    assert.throws(() => s.commit(), /4 of 10 bytes/);
    s.abort();
    assert.deepStrictEqual(s.states, ['valid', 'empty'], 'an aborted write leaves the boot image as it was');
    install(s, v('2'));
    s.reset();
    assert.throws(() => s.begin(10), /not confirmed yet/);
  });

  it('an open write does not survive a reset', () => {
    const s = slots();
    s.reset();
    s.begin(600);
    s.write(v('2').subarray(0, 300));
    s.reset();
    assert.throws(() => s.write(new Uint8Array(1)), /before begin/);
    assert.deepStrictEqual(s.states, ['valid', 'empty']);
  });
});
