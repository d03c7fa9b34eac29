import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Advertisement } from '../../hal/contracts/io.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { AcousticAir } from '../../sim/world/acoustic-air.js';
import { BleAir } from '../../sim/world/ble-air.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

describe('shared air between simulated boards', () => {
  it("BLE: a board's scanner hears another device's advertisements on schedule; duplicates off reports each once", () => {
    const clock = new VirtualClock(0);
    const air = new BleAir(clock);
    const hub = new SimBoard('hub', getBoard('rpi-5'), clock, { ble: air });
    const seen: Advertisement[] = [];
    const once: Advertisement[] = [];
    const scanner = hub.backend.bleScanner({ onAdvertisement: (a) => void seen.push(a) });
    const unique = hub.backend.bleScanner({ onAdvertisement: (a) => void once.push(a), duplicates: false });
    scanner.start();
    unique.start();
    air.advertise(() => ({ address: 'A4:C1:38:00:00:01', rssi: -60, serviceData: { fcd2: Uint8Array.of(0x40, 0x02, 0xc4, 0x09) } }), 1000);
    clock.runFor(5500);
    assert.equal(seen.length, 6);
    assert.equal(once.length, 1);
    assert.deepStrictEqual(seen[0].serviceData?.fcd2, Uint8Array.of(0x40, 0x02, 0xc4, 0x09));
    scanner.stop();
    clock.runFor(2000);
    assert.equal(seen.length, 6, 'nothing after stop');
    scanner.close();
    assert.throws(
      () => scanner.start(),
      (e: { code?: string }) => e.code === 'closed',
    );
  });
  it('BLE: a board without a radio in the simulation says so', () => {
    const board = new SimBoard('x', getBoard('esp32-devkitc'), new VirtualClock(0));
    assert.throws(
      () => board.backend.bleScanner({ onAdvertisement: () => undefined }),
      (e: { code?: string }) => e.code === 'absent',
    );
  });
  it('audio: what one board plays another hears, sample for sample; options are checked by name', () => {
    const clock = new VirtualClock(0);
    const air = new AcousticAir();
    const a = new SimBoard('a', getBoard('esp32-s3-devkitc-1'), clock, { audio: air });
    const b = new SimBoard('b', getBoard('esp32-devkitc'), clock, { audio: air });
    const heard: number[] = [];
    const mic = b.backend.audioIn({ sampleRate: 48000, channels: 1, bitsPerSample: 16, onSamples: (s) => void heard.push(...s) });
    mic.start();
    const speaker = a.backend.audioOut({ sampleRate: 48000, channels: 1, bitsPerSample: 16 });
    speaker.write(Int16Array.of(1, -2, 3, 32767, -32768));
    assert.deepStrictEqual(heard, [1, -2, 3, 32767, -32768]);
    mic.close();
    speaker.write(Int16Array.of(5));
    assert.equal(heard.length, 5);
    assert.throws(() => a.backend.audioOut({ sampleRate: 100, channels: 1, bitsPerSample: 16 }), /sampleRate/);
    assert.throws(() => a.backend.audioOut({ sampleRate: 48000, channels: 3 as 1, bitsPerSample: 16 }), /channels/);
  });
});
