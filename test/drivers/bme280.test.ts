import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compensateHumidity, compensateTemperature, parseCalibrationH } from '../../hal/drivers/bme280/decode.js';
import { measurementTimeMs } from '../../hal/drivers/bme280/timing.js';
import { BME280_CHIP, BMP280_CHIP } from './emulated-sensors.js';
import { io, near, reg, rig } from './rig.js';

const DATASHEET_TP = { T1: 27504, T2: 26435, T3: -1000, P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000 };
const HUMIDITY = { H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30 }; // the model's default (invented) dig_H

describe('BME280 decode (datasheet §4.2.2, §4.2.3, §9.1)', () => {
  it('humidity: vectors from the datasheet C code compiled with gcc (Q22.10)', () => {
    const c = { ...DATASHEET_TP, ...HUMIDITY };
    const cases: [number, number, number][] = [
      [450000, 30000, 55436],
      [300000, 25000, 28701],
      [600000, 35000, 87031],
      [700000, 40000, 102400], // clamped to 100 %RH
      [519888, 20000, 0], // clamped to 0 %RH
    ];
    for (const [adcT, adcH, want] of cases) assert.equal(compensateHumidity(adcH, compensateTemperature(adcT, c).tFine, c), want, `adcT ${adcT} adcH ${adcH}`);
  });

  it('dig_H4/dig_H5 share 0xE5 and are sign-extended 12-bit values', () => {
    assert.deepEqual(parseCalibrationH(0x4b, [0x6a, 0x01, 0x00, 0x13, 0x29, 0x03, 0x1e]), HUMIDITY);
    assert.deepEqual(parseCalibrationH(0xff, [0x00, 0x80, 0xaa, 0xf0, 0x8f, 0xff, 0xe2]), { H1: 255, H2: -32768, H3: 170, H4: -241, H5: -8, H6: -30 });
  });

  it('measurement time per §9.1: typical and maximum, skipped channels dropped', () => {
    assert.deepEqual(measurementTimeMs({ temperature: 1, pressure: 1, humidity: 1 }), { typical: 8, max: 1.25 + 2.3 + 2.875 + 2.875 });
    const hi = measurementTimeMs({ temperature: 16, pressure: 16, humidity: 16 });
    assert.equal(hi.typical, 98);
    assert.ok(Math.abs(hi.max - 112.8) < 1e-9);
    assert.equal(measurementTimeMs({ temperature: 1, pressure: 0, humidity: 0 }).typical, 3);
  });
});

// Range stepping in lockstep, NACK, stuck bus, unplug, the common option checks and close: test/drivers/i2c-sensors.test.ts.
describe('BME280 driver and model', () => {
  it('replays the datasheet calibration and raw values through the bus (25.08 °C, 25767233/256 Pa, packed dig_H)', () => {
    const { model, make } = rig(BME280_CHIP);
    const negative = { ...HUMIDITY, H5: -8, H6: -30 }; // exercises the sign of the 0xE5/0xE6 packing
    model.setCalibration({ ...DATASHEET_TP, ...negative });
    model.setRaw({ adcT: 519888, adcP: 415148, adcH: 30000 });
    const s = make().sample();
    assert.equal(s.temperature, 25.08);
    assert.equal(s.pressure, 25767233 / 256);
    const h = compensateHumidity(30000, 128422, { ...DATASHEET_TP, ...negative }) / 1024;
    assert.ok(h > 0 && h < 100 && h !== compensateHumidity(30000, 128422, { ...DATASHEET_TP, ...HUMIDITY }) / 1024);
    assert.equal(s.humidity, h);
  });

  it('checks the chip id: a BMP280 (0x58) at the address is absent, naming what it read', () => {
    const { make } = rig({ ...BME280_CHIP, model: BMP280_CHIP.model });
    assert.throws(
      () => make(),
      (e: unknown) => io('absent')(e) && /0x58/.test((e as Error).message) && /BMP280/.test((e as Error).message),
    );
  });

  it('works at 0x77 as well: the address comes with the opened I2C', () => {
    const { make, model } = rig({ ...BME280_CHIP, address: 0x77 });
    model.setValue('temperature', 21.5);
    near(make().sample().temperature, 21.5, 0.01);
  });

  it('soft-resets at start (data registers back to their reset values) and waits t_startup', () => {
    const { clock, i2c, make } = rig(BME280_CHIP);
    i2c().write(Uint8Array.of(0xf4, 0x25));
    clock.delay(10);
    assert.notDeepEqual(reg(i2c(), 0xf7, 3), [0x80, 0, 0]);
    const t0 = clock.now();
    make();
    assert.deepEqual(reg(i2c(), 0xf7, 3), [0x80, 0, 0]);
    assert.ok(clock.now() - t0 >= 2);
  });

  it('model: 0xB6 to 0xE0 restores power-on values; another word does nothing', () => {
    const { i2c } = rig(BME280_CHIP);
    const bus = i2c();
    bus.write(Uint8Array.of(0xf4, 0x27));
    bus.write(Uint8Array.of(0xe0, 0x12));
    assert.deepEqual(reg(bus, 0xf4), [0x27]);
    bus.write(Uint8Array.of(0xe0, 0xb6));
    assert.deepEqual(reg(bus, 0xf4), [0]);
    assert.deepEqual(reg(bus, 0xf7, 8), [0x80, 0, 0, 0x80, 0, 0, 0x80, 0]);
    assert.equal(reg(bus, 0xf3)[0] & 0x01, 1, 'im_update while the NVM is copied');
  });

  it('a reset whose NVM copy never ends times out', () => {
    const { model, make } = rig(BME280_CHIP);
    model.slow(100);
    assert.throws(() => make(), io('timeout'));
  });

  it('forced mode: one conversion per sample, the clock advances by the typical time, the chip sleeps after', () => {
    const { clock, model, make, i2c } = rig(BME280_CHIP);
    const d = make();
    model.setValue('temperature', 30);
    const t0 = clock.now();
    const s = d.sample();
    assert.equal(clock.now() - t0, 8, '1 + 2 + 2.5 + 2.5 ms for ×1');
    near(s.temperature, 30, 0.01);
    assert.equal(model.conversions, 1);
    assert.equal(reg(i2c(), 0xf4)[0] & 3, 0, 'back to sleep');
  });

  it('model: while converting, measuring is set and the data registers still hold the previous result', () => {
    const { clock, i2c } = rig(BME280_CHIP);
    const bus = i2c();
    bus.write(Uint8Array.of(0xf2, 0x01));
    bus.write(Uint8Array.of(0xf4, 0x25)); // ×1, ×1, forced
    assert.equal(reg(bus, 0xf3)[0] & 0x08, 0x08);
    assert.deepEqual(reg(bus, 0xf7, 3), [0x80, 0, 0]);
    clock.delay(7.9);
    assert.equal(reg(bus, 0xf3)[0] & 0x08, 0x08);
    clock.delay(0.1);
    assert.equal(reg(bus, 0xf3)[0] & 0x08, 0);
    assert.notDeepEqual(reg(bus, 0xf7, 3), [0x80, 0, 0]);
  });

  it('a conversion slower than typical is polled until done, and its fresh value returned', () => {
    const { clock, model, make } = rig(BME280_CHIP);
    const d = make();
    d.sample();
    model.slow(1.2);
    model.setValue('temperature', 40);
    const t0 = clock.now();
    const s = d.sample();
    assert.equal(clock.now() - t0, 10, 'typical 8 ms, then polls at 9 and 10 ms');
    near(s.temperature, 40, 0.01);
  });

  it('a conversion that never finishes times out within the bound', () => {
    const { clock, model, make } = rig(BME280_CHIP);
    const d = make();
    model.slow(50);
    const t0 = clock.now();
    assert.throws(() => d.sample(), io('timeout'));
    assert.ok(clock.now() - t0 <= 9.3 + 3, `waited ${clock.now() - t0} ms`);
  });

  it('oversampling per channel: register codes, conversion time and resolution', () => {
    const { clock, make, i2c } = rig(BME280_CHIP);
    const d = make({ temperatureOversampling: 2, pressureOversampling: 16, humidityOversampling: 4 });
    const bus = i2c();
    assert.equal(reg(bus, 0xf2)[0], 0b011);
    assert.equal(reg(bus, 0xf4)[0], 0b010_101_00);
    const t0 = clock.now();
    d.sample();
    assert.equal(clock.now() - t0, 1 + 4 + 32.5 + 8.5);
    d.configure({ pressureOversampling: 1, temperatureOversampling: 1 });
    for (let p = 95000; p < 95100; p += 7) {
      d.sample();
      assert.equal(reg(bus, 0xf9)[0] & 0xf0, 0, '×1: 16-bit result, xlsb empty');
    }
  });

  it('skipped channels: no value, the register reads the skip marker, the time term is dropped', () => {
    const { clock, make, i2c } = rig(BME280_CHIP);
    const d = make({ humidityOversampling: 0, pressureOversampling: 0 });
    const t0 = clock.now();
    const s = d.sample();
    assert.equal(clock.now() - t0, 3);
    assert.deepEqual(Object.keys(s), ['temperature']);
    assert.deepEqual(reg(i2c(), 0xf7, 3), [0x80, 0, 0]);
    assert.deepEqual(reg(i2c(), 0xfd, 2), [0x80, 0]);
  });

  it('model: ctrl_hum takes effect only after a ctrl_meas write', () => {
    const { clock, i2c } = rig(BME280_CHIP);
    const bus = i2c();
    bus.write(Uint8Array.of(0xf4, 0x27)); // normal, ctrl_hum still skip
    bus.write(Uint8Array.of(0xf2, 0x01));
    clock.delay(2000);
    assert.deepEqual(reg(bus, 0xfd, 2), [0x80, 0]);
    bus.write(Uint8Array.of(0xf4, 0x27));
    clock.delay(2000);
    assert.notDeepEqual(reg(bus, 0xfd, 2), [0x80, 0]);
  });

  it('a chip that reset itself behind the driver reports nothing rather than the skip marker as a value', () => {
    const { model, make } = rig(BME280_CHIP);
    const d = make({ mode: 'normal' });
    assert.ok('temperature' in d.sample());
    model.reset();
    assert.deepEqual(d.sample(), {});
  });

  it('normal mode: cycles measure + standby on its own; sample() reads the last finished conversion', () => {
    const { clock, model, make, i2c } = rig(BME280_CHIP);
    const t0 = clock.now();
    model.setSignal('temperature', (t) => (t < t0 + 50 ? 20 : 30));
    const d = make({ mode: 'normal', standbyMs: 62.5 });
    const start = clock.now(); // conversions end at start + 8 + 70.5·k
    assert.equal(reg(i2c(), 0xf4)[0] & 3, 3);
    assert.equal(reg(i2c(), 0xf5)[0] >> 5, 1);
    near(d.sample().temperature, 20, 0.01);
    clock.runUntil(start + 78);
    const before = clock.now();
    near(d.sample().temperature, 20, 0.01);
    assert.equal(clock.now(), before, 'no waiting in normal mode');
    clock.runUntil(start + 79);
    const s = d.sample();
    near(s.temperature, 30, 0.01);
    near(s.humidity, 50, 0.008, 'ctrl_hum took effect');
  });

  it("normal mode: the BME280's own standby codes 10 ms and 20 ms", () => {
    const { make, i2c } = rig(BME280_CHIP);
    const d = make({ mode: 'normal', standbyMs: 10 });
    assert.equal(reg(i2c(), 0xf5)[0] >> 5, 0b110);
    d.configure({ standbyMs: 20 });
    assert.equal(reg(i2c(), 0xf5)[0] >> 5, 0b111);
  });

  it('IIR filter: a step moves the output by 1/coefficient per conversion (§3.4.4); off, at once', () => {
    const { clock, model, make, i2c } = rig(BME280_CHIP);
    model.setValue('temperature', 20);
    const d = make({ mode: 'normal', standbyMs: 0.5, filter: 16 });
    assert.equal((reg(i2c(), 0xf5)[0] >> 2) & 7, 0b100);
    d.sample();
    const start = clock.now();
    model.setValue('temperature', 36);
    clock.runUntil(start + 8.5); // exactly one more conversion
    near(d.sample().temperature, 21, 0.02);
    d.configure({ filter: 0 });
    clock.delay(10);
    near(d.sample().temperature, 36, 0.01);
  });

  it('sweeps the ranges: each reading within the stated resolution of the model value', () => {
    const { model, make } = rig(BME280_CHIP);
    const d = make({ temperatureOversampling: 16, pressureOversampling: 16, humidityOversampling: 16 });
    for (let t = -40; t <= 85; t += 12.5) {
      for (let p = 30000; p <= 110000; p += 16000) {
        const h = ((t + 40) / 125) * 100;
        model.setValue('temperature', t);
        model.setValue('pressure', p);
        model.setValue('humidity', h);
        const s = d.sample();
        near(s.temperature, t, 0.01, `T ${t}`);
        near(s.pressure, p, 0.18, `P ${p} at ${t} °C`);
        near(s.humidity, h, 0.008, `H ${h} at ${t} °C`);
      }
    }
  });

  it('NACK while identifying fails the constructor', () => {
    const { model, make } = rig(BME280_CHIP);
    model.nackNext();
    assert.throws(() => make(), io('nack'));
  });

  it('bad settings throw TypeError/RangeError naming the setting, before touching the bus', () => {
    const { bus, make } = rig(BME280_CHIP);
    const before = bus.transfers;
    assert.throws(() => make({ mode: 'sleep' as never }), { name: 'RangeError', message: /mode/ });
    assert.throws(() => make({ pressureOversampling: 3 as never }), { name: 'RangeError', message: /pressureOversampling/ });
    assert.throws(() => make({ humidityOversampling: '1' as never }), { name: 'TypeError', message: /humidityOversampling/ });
    assert.throws(() => make({ filter: 1 as never }), { name: 'RangeError', message: /filter/ });
    assert.throws(() => make({ standbyMs: 2000 }), { name: 'RangeError', message: /standbyMs/ });
    assert.throws(() => make({ temperatureOversampling: 0 }), { name: 'RangeError', message: /temperatureOversampling/ });
    assert.equal(bus.transfers, before);
  });

  it('a bad configure() changes nothing', () => {
    const { clock, make } = rig(BME280_CHIP);
    const d = make();
    assert.throws(() => d.configure({ filter: 5 as never, pressureOversampling: 16 }), RangeError);
    const t0 = clock.now();
    d.sample();
    assert.equal(clock.now() - t0, 8);
  });

  it('close puts a chip in normal mode to sleep', () => {
    const { make, i2c } = rig(BME280_CHIP);
    const d = make({ mode: 'normal' });
    d.close();
    assert.throws(() => d.configure({ filter: 2 }), io('closed'));
    assert.equal(reg(i2c(), 0xf4)[0] & 3, 0);
  });

  it('close of an unplugged chip still releases', () => {
    const { model, make } = rig(BME280_CHIP);
    const d = make();
    model.unplug();
    d.close();
    assert.throws(() => d.sample(), io('closed'));
  });

  it('declares its channels with the datasheet ranges and resolutions', () => {
    const { make } = rig(BME280_CHIP);
    assert.deepEqual(
      make().channels.map((c) => [c.name, c.unit, c.min, c.max, c.resolution]),
      [
        ['temperature', 'Cel', -40, 85, 0.01],
        ['pressure', 'Pa', 30000, 110000, 0.18],
        ['humidity', '%RH', 0, 100, 0.008],
      ],
    );
  });
});
