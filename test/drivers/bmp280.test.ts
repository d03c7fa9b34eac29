import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compensatePressure, compensatePressure32, compensateTemperature, parseCalibrationTp } from '../../hal/drivers/bme280/decode.js';
import { measurementTimeMs } from '../../hal/drivers/bme280/timing.js';
import { BME280_CHIP, BMP280_CHIP } from './emulated-sensors.js';
import { io, near, reg, rig } from './rig.js';

/** BMP280 datasheet §3.12: the worked example's trimming and raw values. */
const EXAMPLE = { T1: 27504, T2: 26435, T3: -1000, P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000 };
const ADC_T = 519888;
const ADC_P = 415148;

describe('BMP280 decode: the datasheet worked example (§3.11.3, §3.12, §8.2)', () => {
  it('parses the trimming words at 0x88..0x9F (little-endian, T1/P1 unsigned)', () => {
    const bytes = [
      0x70, 0x6b, 0x43, 0x67, 0x18, 0xfc, 0x7d, 0x8e, 0x43, 0xd6, 0xd0, 0x0b, 0x27, 0x0b, 0x8c, 0x00, 0xf9, 0xff, 0x8c, 0x3c, 0xf8, 0xc6, 0x70, 0x17,
    ];
    assert.deepEqual(parseCalibrationTp(bytes), EXAMPLE);
  });

  it('temperature: 25.08 °C and t_fine 128422', () => {
    assert.deepEqual(compensateTemperature(ADC_T, EXAMPLE), { centi: 2508, tFine: 128422 });
  });

  it('pressure, 64-bit formula: 25767233 in Q24.8 = 100653.25 Pa (the table prints the float result 100653.27)', () => {
    assert.equal(compensatePressure(ADC_P, 128422, EXAMPLE), 25767233);
  });

  it('pressure, 32-bit formula of §8.2: 100656 Pa (the coarser variant; compiled C gives the same)', () => {
    assert.equal(compensatePressure32(ADC_P, 128422, EXAMPLE), 100656);
  });

  it('a calibration with dig_P1 = 0 gives 0 instead of dividing by zero, as the datasheet code does', () => {
    assert.equal(compensatePressure(ADC_P, 128422, { ...EXAMPLE, P1: 0 }), 0);
    assert.equal(compensatePressure32(ADC_P, 128422, { ...EXAMPLE, P1: 0 }), 0);
  });

  it('measurement time matches §3.8.1 Table 13 (typical / maximum)', () => {
    const rows: [number, number, number, number][] = [
      [1, 1, 5.5, 6.4],
      [1, 2, 7.5, 8.7],
      [1, 4, 11.5, 13.3],
      [1, 8, 19.5, 22.5],
      [2, 16, 37.5, 43.2],
    ];
    for (const [t, p, typ, max] of rows) {
      const m = measurementTimeMs({ temperature: t, pressure: p, humidity: 0 });
      assert.equal(m.typical, typ);
      assert.ok(Math.abs(m.max - max) < 0.05, `×${t}/×${p}: ${m.max}`);
    }
  });
});

// Range stepping in lockstep, NACK, stuck bus, unplug, the common option checks and close: test/drivers/i2c-sensors.test.ts.
describe('BMP280 driver and model', () => {
  it('replays the worked example through the bus: exactly 25.08 °C and 25767233/256 Pa, no humidity', () => {
    const { model, make } = rig(BMP280_CHIP);
    model.setCalibration(EXAMPLE);
    model.setRaw({ adcT: ADC_T, adcP: ADC_P });
    assert.deepEqual(make().sample(), { temperature: 25.08, pressure: 25767233 / 256 });
  });

  it('checks the chip id: a BME280 (0x60) at the address is absent, naming what it read', () => {
    const { make } = rig({ ...BMP280_CHIP, address: 0x77, model: BME280_CHIP.model });
    assert.throws(
      () => make(),
      (e: unknown) => io('absent')(e) && /0x60/.test((e as Error).message) && /0x77/.test((e as Error).message),
    );
  });

  it('model: no ctrl_hum and a 6-byte data block', () => {
    const { i2c, make } = rig(BMP280_CHIP);
    make();
    const bus = i2c();
    bus.write(Uint8Array.of(0xf2, 0x05));
    assert.deepEqual(reg(bus, 0xf2), [0]);
    assert.deepEqual(reg(bus, 0xfd, 2), [0, 0]);
  });

  it('forced mode takes the typical time of Table 13 and reads the model values', () => {
    const { clock, model, make } = rig({ ...BMP280_CHIP, address: 0x77 });
    const d = make();
    model.setValue('temperature', -12.34);
    model.setValue('pressure', 87654);
    const t0 = clock.now();
    const s = d.sample();
    assert.equal(clock.now() - t0, 5.5);
    near(s.temperature, -12.34, 0.01);
    near(s.pressure, 87654, 2.62 / 2 + 0.01, 'x1: 16-bit, 2.62 Pa steps');
  });

  it('refuses humidityOversampling, in the constructor and in configure()', () => {
    const { make } = rig(BMP280_CHIP);
    assert.throws(() => make({ humidityOversampling: 1 } as never), { name: 'RangeError', message: /humidityOversampling/ });
    assert.throws(() => make().configure({ humidityOversampling: 1 } as never), RangeError);
  });

  it("normal mode uses the BMP280's standby table: 4000 ms is code 111, 10 ms is refused", () => {
    const { make, i2c } = rig(BMP280_CHIP);
    const d = make({ mode: 'normal', standbyMs: 4000 });
    assert.equal(reg(i2c(), 0xf5)[0] >> 5, 0b111);
    assert.throws(() => d.configure({ standbyMs: 10 }), { name: 'RangeError', message: /standbyMs/ });
  });

  it('normal mode: a new conversion every measure + standby (5.5 + 2000 ms)', () => {
    const { clock, model, make } = rig(BMP280_CHIP);
    const d = make({ mode: 'normal', standbyMs: 2000 });
    const start = clock.now();
    d.sample();
    assert.equal(model.conversions, 1);
    clock.runUntil(start + 5.5 + 2005.4);
    d.sample();
    assert.equal(model.conversions, 1);
    clock.runUntil(start + 5.5 + 2005.5);
    d.sample();
    assert.equal(model.conversions, 2);
  });

  it('skipping pressure leaves temperature only, and takes 3 ms', () => {
    const { clock, make } = rig(BMP280_CHIP);
    const d = make({ pressureOversampling: 0, temperatureOversampling: 1 });
    const t0 = clock.now();
    assert.deepEqual(Object.keys(d.sample()), ['temperature']);
    assert.equal(clock.now() - t0, 3);
  });

  it('sweeps the ranges at ×16: each reading within 0.01 °C and 0.16 Pa of the model value', () => {
    const { model, make } = rig(BMP280_CHIP);
    const d = make({ temperatureOversampling: 16, pressureOversampling: 16 });
    for (let t = -40; t <= 85; t += 8.33) {
      for (let p = 30000; p <= 110000; p += 9999) {
        model.setValue('temperature', t);
        model.setValue('pressure', p);
        const s = d.sample();
        near(s.temperature, t, 0.01, `T ${t}`);
        near(s.pressure, p, 0.16, `P ${p} at ${t} °C`);
      }
    }
  });

  it('slow conversions: polled within the bound, or timeout', () => {
    const { clock, model, make } = rig(BMP280_CHIP);
    const d = make();
    model.slow(0.8);
    let t0 = clock.now();
    d.sample();
    assert.equal(clock.now() - t0, 6.5);
    model.slow(20);
    t0 = clock.now();
    assert.throws(() => d.sample(), io('timeout'));
    assert.ok(clock.now() - t0 <= 6.425 + 3);
  });

  it('a bad filter throws RangeError naming it', () => {
    const { make } = rig(BMP280_CHIP);
    assert.throws(() => make({ filter: 32 as never }), { name: 'RangeError', message: /filter/ });
  });

  it('declares temperature and pressure channels only', () => {
    const { make } = rig(BMP280_CHIP);
    assert.deepEqual(
      make().channels.map((c) => [c.name, c.unit, c.min, c.max, c.resolution]),
      [
        ['temperature', 'Cel', -40, 85, 0.01],
        ['pressure', 'Pa', 30000, 110000, 0.16],
      ],
    );
  });
});
