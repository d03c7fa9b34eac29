import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bleComponent, parseBleKey, parseMac } from '../../host/ble/ble-mac.js';
import { COMPONENT_PATTERN } from '../../firmware/event/envelope.js';
import { BleDevices } from '../../host/store/ble-devices.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { MIGRATIONS } from '../../host/store/migrations.js';
import { tempDir } from '../hub/helpers.js';

const KEY = new Uint8Array(16).fill(1);
const T = 1_767_225_600_000;

function store() {
  const tmp = tempDir('fazt-ble-store-');
  const file = `${tmp.dir}/fazt.db`;
  let c = Cartridge.open(file, { clock: () => T });
  return {
    devices: () => new BleDevices(c.db),
    reopen: () => {
      c.close();
      c = Cartridge.open(file, { clock: () => T });
    },
    done: () => {
      c.close();
      tmp.cleanup();
    },
  };
}

describe('BTHome devices in the cartridge (migration step 17)', () => {
  it('step 17 is the BLE step', () => {
    assert.equal(MIGRATIONS.find((m) => m.step === 17)?.name, 'BTHome devices: key, last accepted counter');
  });

  it('a counter is taken only when it increases; the last one survives reopening the file', () => {
    const s = store();
    try {
      const d = s.devices();
      d.add({ mac: 'a4-c1-38-aa-bb-cc', key: KEY, name: 'kitchen' }, T);
      assert.deepEqual(d.get('A4:C1:38:AA:BB:CC'), { mac: 'A4:C1:38:AA:BB:CC', name: 'kitchen', key: KEY, addedAt: T, resetPending: false });
      assert.equal(d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 10), true);
      assert.equal(d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 10), false);
      assert.equal(d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 9), false);
      assert.equal(d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 0xffffffff), true);
      s.reopen();
      const again = s.devices();
      assert.equal(again.get('A4:C1:38:AA:BB:CC')?.lastCounter, 0xffffffff);
      assert.equal(again.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 11), false);
      assert.throws(() => again.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 2 ** 32), /counter must be a 32-bit unsigned integer/);
    } finally {
      s.done();
    }
  });

  it('accept-reset takes the next counter once, whatever it is', () => {
    const s = store();
    try {
      const d = s.devices();
      d.add({ mac: 'A4:C1:38:AA:BB:CC', key: KEY }, T);
      d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 500);
      assert.equal(d.acceptReset('A4:C1:38:AA:BB:CC'), true);
      assert.equal(d.get('A4:C1:38:AA:BB:CC')?.resetPending, true);
      assert.equal(d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 1), true);
      assert.deepEqual({ ...d.get('A4:C1:38:AA:BB:CC') }, { mac: 'A4:C1:38:AA:BB:CC', key: KEY, addedAt: T, lastCounter: 1, resetPending: false });
      assert.equal(d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 1), false);
      assert.equal(d.acceptReset('11:22:33:44:55:66'), false);
    } finally {
      s.done();
    }
  });

  it('removed devices are not listed and take no counter; added again with the same key the counter stands, with a new key it starts afresh', () => {
    const s = store();
    try {
      const d = s.devices();
      d.add({ mac: 'A4:C1:38:AA:BB:CC', key: KEY }, T);
      d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 7);
      assert.equal(d.remove('A4:C1:38:AA:BB:CC', T + 1), true);
      assert.equal(d.remove('A4:C1:38:AA:BB:CC', T + 1), false);
      assert.deepEqual(d.list(), []);
      assert.equal(d.takeCounterIfNewer('A4:C1:38:AA:BB:CC', 8), false);
      d.add({ mac: 'A4:C1:38:AA:BB:CC', key: KEY }, T + 2);
      assert.equal(d.get('A4:C1:38:AA:BB:CC')?.lastCounter, 7);
      d.add({ mac: 'A4:C1:38:AA:BB:CC', key: new Uint8Array(16).fill(2) }, T + 3);
      assert.equal(d.get('A4:C1:38:AA:BB:CC')?.lastCounter, undefined);
      d.add({ mac: 'A4:C1:38:AA:BB:CC' }, T + 4);
      assert.equal(d.get('A4:C1:38:AA:BB:CC')?.key, undefined);
    } finally {
      s.done();
    }
  });

  it('addresses, keys and component names: one stored form, clear refusals that never repeat a key', () => {
    assert.equal(parseMac(' a4:c1:38:aa:bb:cc '), 'A4:C1:38:AA:BB:CC');
    assert.equal(parseMac('A4C138AABBCC'), 'A4:C1:38:AA:BB:CC');
    assert.throws(() => parseMac('A4:C1:38:AA:BB'), {
      name: 'RangeError',
      message: "mac 'A4:C1:38:AA:BB' is not a Bluetooth address (six hex bytes, e.g. A4:C1:38:AA:BB:CC)",
    });
    assert.equal(bleComponent('A4:C1:38:AA:BB:CC'), 'ble-a4c138aabbcc');
    assert.match(bleComponent('A4:C1:38:AA:BB:CC'), COMPONENT_PATTERN);
    assert.deepEqual(parseBleKey('231d39c1d7cc1ab1aee224cd096db932').length, 16);
    assert.throws(
      () => parseBleKey('231d39c1d7cc1ab1aee224cd096db9'),
      (e: Error) => e.message === 'key must be 32 hex digits (a 16-byte BTHome key)',
    );
  });
});
