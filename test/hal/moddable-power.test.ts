import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batteryFromAdc } from '../../hal/contracts/battery.js';
import { moddableBattery } from '../../hal/moddable/moddable-battery.js';
import { moddableSerial } from '../../hal/moddable/moddable-serial.js';
import { moddableSleep } from '../../hal/moddable/moddable-sleep.js';
import { moddableWifiJoin } from '../../hal/moddable/moddable-wifi.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const wiring = { pin: 35, divider: 2, adcFullScaleVolts: 3.1, emptyVolts: 3.3, fullVolts: 4.2 };

describe('Moddable bindings for battery nodes (over fakes of the native modules)', () => {
  it('sleep: arms the wake pin (high), sleeps the ms asked, passes the native wake cause on and refuses one it does not know', () => {
    const calls: string[] = [];
    let cause = 'power-on';
    const s = moddableSleep({
      deepSleep: (ms) => void calls.push(`deep ${ms}`),
      enablePinWakeup: (pin) => void calls.push(`pin ${pin}`),
      wakeCause: () => cause,
    });
    s.deepSleep(300_000, 33);
    s.deepSleep(1000);
    assert.deepStrictEqual(calls, ['pin 33', 'deep 300000', 'deep 1000']);
    assert.deepStrictEqual(
      ['power-on', 'timer', 'pin', 'other'].map((c) => ((cause = c), s.wakeCause())),
      ['power-on', 'timer', 'pin', 'other'],
    );
    cause = 'ext0';
    assert.throws(() => s.wakeCause(), /wakeCause: the native module answered 'ext0', not one of power-on, timer, pin, other/);
    assert.throws(() => s.deepSleep(0), /deepSleep ms must be an integer in 1\.\.86400000, got 0/);
    assert.throws(() => s.deepSleep(1000, 64), /wakePin must be a GPIO number 0\.\.63, got 64/);
    assert.equal(calls.length, 3, 'a refused sleep touches nothing');
  });

  it('battery: one 12-bit sample through the divider, the pin closed after each read', () => {
    const opened: number[] = [];
    let closed = 0;
    class Analog {
      readonly resolution = 12;
      constructor(o: { pin: number }) {
        opened.push(o.pin);
      }
      read(): number {
        return 2642; // 2.0 V at the pin of a 3.1 V full scale: a 4.0 V cell
      }
      close(): void {
        closed++;
      }
    }
    const b = moddableBattery(Analog, wiring).read();
    assert.deepStrictEqual(b, { volts: 4, percent: 78 });
    assert.deepStrictEqual([opened, closed], [[35], 1]);
    assert.throws(() => batteryFromAdc(4096, 12, wiring), /battery ADC sample must be an integer in 0\.\.4095, got 4096/);
  });

  it('serial: bytes read when readable reach onBytes; writes go out as ArrayBuffers', () => {
    const got: number[][] = [];
    const wrote: number[][] = [];
    let readable: ((count: number) => void) | undefined;
    class Serial {
      constructor(o: { baud: number; onReadable?: (this: { read(): ArrayBuffer | undefined }, count: number) => void }) {
        assert.equal(o.baud, 115200);
        readable = (n) => o.onReadable?.call(this, n);
      }
      read(): ArrayBuffer | undefined {
        return Uint8Array.of(0x49, 0x4d).buffer;
      }
      write(b: ArrayBuffer): void {
        wrote.push([...new Uint8Array(b)]);
      }
      close(): void {}
    }
    const port = moddableSerial(Serial, { baud: 115200, onBytes: (b) => void got.push([...b]) });
    readable?.(2);
    port.write(Uint8Array.of(1, 2, 3).subarray(1));
    assert.deepStrictEqual(got, [[0x49, 0x4d]]);
    assert.deepStrictEqual(wrote, [[2, 3]]);
    assert.throws(() => moddableSerial(Serial, { baud: 12, onBytes: () => undefined }), /baud/);
  });

  it('wifi: joined at gotIP, refused at the first disconnect, given up after the timeout', () => {
    const clock = new VirtualClock();
    const script: string[][] = [['connect', 'gotIP'], ['disconnect', 'disconnect'], []];
    const notify: ((m: string) => void)[] = [];
    let closed = 0;
    class WiFi {
      constructor(_o: { ssid: string; password?: string }, on: (m: string) => void) {
        notify.push(on);
      }
      close(): void {
        closed++;
      }
    }
    const join = moddableWifiJoin(WiFi, clock, 10_000);
    const results: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      join('home', 'secret', (ok) => void results.push(ok));
      for (const m of script[i]) notify[i](m);
    }
    assert.deepStrictEqual(results, [true, false]);
    clock.runFor(10_000);
    assert.deepStrictEqual(results, [true, false, false]);
    assert.equal(closed, 3);
    assert.equal(clock.pending, 0);
  });
});
