/**
 * The HAL conformance suite: one behaviour per case, written once against the
 * contracts and run on every backend this machine reaches (test/hal/
 * conformance.test.ts): the sim backend on Node, the Moddable adapter, and
 * the sim backend bridged into XS. Portable: runs inside XS, so no Node APIs
 * and no node:assert. The UDP cases are in udp-cases.ts.
 */
import { SMBus } from '../../../hal/smbus.js';
import { scanI2c } from '../../../hal/i2c-scan.js';
import { check, code, EMPTY_ADDRESS, PINS, REG_DEVICE, throwsCode, type ConformanceCase } from './case-support.js';
import { udpCases } from './udp-cases.js';

/** What a case may do to the world behind the backend (the simulator's back door). */
export const cases: Record<string, ConformanceCase> = {
  'i2c: invalid options throw, naming the option'(w) {
    throwsCode(
      () => w.backend.i2c({ address: 0x80 }),
      (e) => e.name === 'RangeError' && /address/.test(e.message ?? ''),
      'address 0x80',
    );
    throwsCode(
      () => w.backend.i2c({ address: 0x50, hz: 5_000_000 }),
      (e) => e.name === 'RangeError' && /hz/.test(e.message ?? ''),
      'hz',
    );
    throwsCode(
      () => w.backend.i2c({ address: 'x' as unknown as number }),
      (e) => e.name === 'TypeError' && /address/.test(e.message ?? ''),
      'address type',
    );
  },
  'i2c: register write and read back through SMBus'(w) {
    const io = w.backend.i2c({ address: REG_DEVICE });
    const bus = new SMBus(io);
    bus.writeUint8(0x10, 0xa5);
    bus.writeUint16(0x20, 0x1234, true);
    check(bus.readUint8(0x10) === 0xa5, 'readUint8');
    check(bus.readUint16(0x20, true) === 0x1234 && bus.readUint16(0x20) === 0x3412, 'readUint16 both byte orders');
    const b = bus.readBuffer(0x10, 3);
    check(b.length === 3 && b[0] === 0xa5, 'readBuffer');
    io.close();
  },
  'i2c: close twice is harmless'(w) {
    const io = w.backend.i2c({ address: REG_DEVICE });
    io.close();
    io.close();
  },
  'i2c: use after close throws closed'(w) {
    const io = w.backend.i2c({ address: REG_DEVICE });
    io.close();
    throwsCode(() => io.read(1), code('closed'), 'read after close');
    throwsCode(() => io.write(Uint8Array.of(0)), code('closed'), 'write after close');
  },
  'i2c: a missing peripheral NACKs'(w) {
    const io = w.backend.i2c({ address: EMPTY_ADDRESS });
    throwsCode(() => io.read(1), code('nack'), 'read from nobody');
    io.close();
  },
  'i2c: an injected NACK fails one transfer, then the device answers'(w) {
    const io = w.backend.i2c({ address: REG_DEVICE });
    w.nackNext(REG_DEVICE, 1);
    throwsCode(() => io.write(Uint8Array.of(0x10, 1)), code('nack'), 'injected nack');
    io.write(Uint8Array.of(0x10, 7));
    check(new SMBus(io).readUint8(0x10) === 7, 'answers after the nack');
    io.close();
  },
  'i2c: a stuck bus fails every transfer until released'(w) {
    const io = w.backend.i2c({ address: REG_DEVICE });
    w.setBusStuck(true);
    // Moddable's native I2C errors carry no code: a stuck bus surfaces there as a NACK.
    const stuck = w.backend.name === 'moddable' ? code('nack') : code('bus-stuck');
    throwsCode(() => io.read(1), stuck, 'stuck');
    w.setBusStuck(false);
    io.read(1);
    io.close();
  },
  'i2c: an unplugged device NACKs and answers again after replug'(w) {
    const io = w.backend.i2c({ address: REG_DEVICE });
    w.unplug(REG_DEVICE);
    throwsCode(() => io.read(1), code('nack'), 'unplugged');
    w.replug(REG_DEVICE);
    io.read(1);
    io.close();
  },
  'i2c: two devices share a bus; its pins are refused to anything else'(w) {
    const a = w.backend.i2c({ address: REG_DEVICE });
    const b = w.backend.i2c({ address: EMPTY_ADDRESS });
    throwsCode(() => w.backend.digital({ pin: 21, mode: 'output' }), code('pin-in-use'), 'SDA as digital');
    a.close();
    b.close();
    w.backend.digital({ pin: 21, mode: 'output' }).close();
  },
  'i2c: a scan finds exactly the devices present'(w) {
    const found = scanI2c((address) => w.backend.i2c({ address }));
    check(found.length === 1 && found[0] === REG_DEVICE, `found ${found.join(',')}`);
  },
  'digital: invalid options throw, naming the option'(w) {
    throwsCode(
      () => w.backend.digital({ pin: PINS.out, mode: 'sideways' as 'output' }),
      (e) => e.name === 'RangeError' && /mode/.test(e.message ?? ''),
      'mode',
    );
    throwsCode(
      () => w.backend.digital({ pin: -1, mode: 'output' }),
      (e) => e.name === 'RangeError' && /pin/.test(e.message ?? ''),
      'pin',
    );
  },
  'digital: pin conflict is refused, naming the holder'(w) {
    const a = w.backend.digital({ pin: PINS.out, mode: 'output' });
    throwsCode(
      () => w.backend.digital({ pin: PINS.out, mode: 'input' }),
      (e) => e.code === 'pin-in-use' && /digital output/.test(e.message ?? ''),
      'second claim',
    );
    a.close();
  },
  'digital: board rules refuse input-only outputs, flash pins and unopted strapping pins'(w) {
    throwsCode(() => w.backend.digital({ pin: PINS.inputOnly, mode: 'output' }), code('input-only'), 'input-only');
    throwsCode(() => w.backend.digital({ pin: PINS.flash, mode: 'input' }), code('reserved-pin'), 'flash');
    throwsCode(() => w.backend.digital({ pin: PINS.strapping, mode: 'input' }), code('strapping-pin'), 'strapping');
    w.backend.digital({ pin: PINS.strapping, mode: 'input', allowStrapping: true }).close();
  },
  'digital: output drives the pin'(w) {
    const d = w.backend.digital({ pin: PINS.out, mode: 'output' });
    d.write(1);
    check(w.driven(PINS.out) === 1, 'high');
    d.write(0);
    check(w.driven(PINS.out) === 0, 'low');
    d.close();
  },
  'digital: input reads the outside level; pull-up reads 1 when floating'(w) {
    const d = w.backend.digital({ pin: PINS.in, mode: 'input-pullup' });
    w.setLevel(PINS.in, null);
    check(d.read() === 1, 'pull-up floating');
    w.setLevel(PINS.in, 0);
    check(d.read() === 0, 'driven low');
    d.close();
  },
  'digital: edge callbacks fire on the configured edge only'(w) {
    let rising = 0;
    w.setLevel(PINS.in, 0);
    const d = w.backend.digital({ pin: PINS.in, mode: 'input', edge: 'rising', onReadable: () => void rising++ });
    w.setLevel(PINS.in, 1);
    w.setLevel(PINS.in, 0);
    w.setLevel(PINS.in, 1);
    check(rising === 2, `rising edges: ${rising}`);
    d.close();
    w.setLevel(PINS.in, 0);
    w.setLevel(PINS.in, 1);
    check(rising === 2, 'no callbacks after close');
  },
  'digital: close twice is harmless; use after close throws closed'(w) {
    const d = w.backend.digital({ pin: PINS.out, mode: 'output' });
    d.close();
    d.close();
    throwsCode(() => d.write(1), code('closed'), 'write after close');
  },
  'pwm: duty range is checked and close releases the pin'(w) {
    const p = w.backend.pwm({ pin: PINS.out, hz: 1000 });
    throwsCode(
      () => p.write(1 << 10),
      (e) => e.name === 'RangeError',
      'duty beyond resolution',
    );
    p.write(512);
    p.close();
    p.close();
    w.backend.pwm({ pin: PINS.out, hz: 2000, resolution: 8 }).close();
  },
  'clock: delay advances now() by exactly the delay'(w) {
    const t = w.clock.now();
    w.clock.delay(250);
    check(w.clock.now() - t === 250, 'delay 250');
  },
  ...udpCases,
};
