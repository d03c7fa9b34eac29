import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Sht4xHeaterDuration, Sht4xHeaterPower } from '../../hal/drivers/sht4x/registers.js';
import { Aht20Model } from '../../sim/models/aht20-model.js';
import { Sht3xModel } from '../../sim/models/sht3x-model.js';
import { SHT4X_CHIP } from './emulated-sensors.js';
import { assertElapsed, io, open, rig } from './rig.js';

// Range stepping, NACK, stuck bus, CRC, unplug, the common option checks and close: test/drivers/i2c-sensors.test.ts.
describe('SHT4x driver against its model', () => {
  it('converts raw 0x6666 with §4.6 exactly: 25 °C and 44 %RH', () => {
    const { model, driver } = open(SHT4X_CHIP);
    model.setRaw(0x6666, 0x6666);
    const s = driver.sample();
    assert.equal(s.temperature, -45 + (175 * 0x6666) / 65535);
    assert.equal(s.temperature, 25);
    assert.equal(s.humidity, -6 + (125 * 0x6666) / 65535);
    assert.equal(s.humidity, 44);
  });

  it('crops humidity to 0..100 %RH as the datasheet advises', () => {
    const { model, driver } = open(SHT4X_CHIP);
    model.setRaw(0x6666, 0);
    assert.equal(driver.sample().humidity, 0);
    model.setRaw(0x6666, 0xffff);
    assert.equal(driver.sample().humidity, 100);
  });

  it('identifies the chip by its serial number', () => {
    assert.equal(open(SHT4X_CHIP).driver.serialNumber, 0x87654321);
  });

  it('refuses an SHT3x at the address (0x89 never answered) as absent', () => {
    const { clock, make } = rig({ ...SHT4X_CHIP, model: (a, c) => new Sht3xModel(a, c) });
    clock.delay(2);
    assert.throws(() => make(), io('absent'));
  });

  it('refuses an AHT20 at the address (serial fails its CRC) as absent, naming the bytes', () => {
    const { clock, make } = rig({ ...SHT4X_CHIP, model: (a, c) => new Aht20Model(a, c) });
    clock.delay(100);
    assert.throws(
      () => make(),
      (e) => io('absent')(e) && /not an SHT4x.*bytes [0-9a-f]{12}/.test((e as Error).message),
    );
  });

  it('soft reset sends 0x94 and waits 1 ms', () => {
    const { clock, model, driver } = open(SHT4X_CHIP);
    const before = model.softResets;
    const t0 = clock.now();
    driver.reset();
    assert.equal(model.softResets, before + 1);
    assertElapsed(clock.now() - t0, 1);
    assert.equal(typeof driver.sample().temperature, 'number');
  });

  for (const [precision, command, ms] of [
    ['high', 0xfd, 8.3],
    ['medium', 0xf6, 4.5],
    ['low', 0xe0, 1.6],
  ] as const) {
    it(`${precision} precision sends 0x${command.toString(16)} and waits ${ms} ms`, () => {
      const { clock, model, driver } = open(SHT4X_CHIP);
      driver.configure({ precision });
      const t0 = clock.now();
      driver.sample();
      assert.equal(model.lastCommand, command);
      assertElapsed(clock.now() - t0, ms);
    });
  }

  it('the model NACKs a read before the measurement is done; the driver reads once, after it', () => {
    const { clock, bus, i2c, driver } = open(SHT4X_CHIP);
    const raw = i2c();
    raw.write(Uint8Array.of(0xfd));
    clock.delay(8);
    assert.throws(() => raw.read(6), io('nack'));
    const n = bus.transfers;
    driver.sample();
    assert.equal(bus.transfers - n, 2);
  });

  for (const [power, duration, command, ms] of [
    [200, 1000, 0x39, 1100],
    [200, 100, 0x32, 110],
    [110, 1000, 0x2f, 1100],
    [110, 100, 0x24, 110],
    [20, 1000, 0x1e, 1100],
    [20, 100, 0x15, 110],
  ] as const) {
    it(`heat(${power} mW, ${duration} ms) sends 0x${command.toString(16)}, takes ${ms} ms and reads the heated die`, () => {
      const { clock, model, driver } = open(SHT4X_CHIP);
      model.setValue('temperature', 20);
      model.setValue('humidity', 50);
      const t0 = clock.now();
      const s = driver.heat(power, duration);
      assert.equal(model.lastCommand, command);
      assertElapsed(clock.now() - t0, ms);
      assert.ok(s.temperature > 20.05, `${s.temperature}`);
      assert.ok(Math.abs(s.temperature - (20 + model.dieRiseAt(t0 + duration))) <= 0.01);
      assert.ok(s.humidity < 50);
    });
  }

  it('more power and longer heating heat more; the die cools back to the room afterwards', () => {
    const { clock, model, driver } = open(SHT4X_CHIP);
    model.setValue('temperature', 20);
    const rises: number[] = [];
    for (const [p, d] of [
      [20, 100],
      [110, 100],
      [200, 100],
      [200, 1000],
    ] as [Sht4xHeaterPower, Sht4xHeaterDuration][]) {
      clock.delay(60_000);
      rises.push(driver.heat(p, d).temperature - 20);
    }
    for (let i = 1; i < rises.length; i++) assert.ok(rises[i] > rises[i - 1], rises.join(', '));
    const after = driver.sample().temperature - 20;
    assert.ok(after > 0.5 && after < rises[3], `${after}`);
    clock.delay(20_000);
    assert.ok(Math.abs(driver.sample().temperature - 20) <= 0.01);
  });

  it('a slow chip is waited for within the bound, a too slow one times out', () => {
    const { clock, model, driver } = open(SHT4X_CHIP);
    model.slow(5);
    const t0 = clock.now();
    driver.sample();
    assertElapsed(clock.now() - t0, 8.3 + 5);
    model.slow(100);
    assert.throws(() => driver.sample(), io('timeout'));
  });

  it('bad settings and heater arguments throw RangeError naming them', () => {
    const { make } = rig(SHT4X_CHIP);
    assert.throws(
      () => make({ precision: 'ultra' as 'high' }),
      (e) => e instanceof RangeError && /precision/.test(e.message),
    );
    const driver = make();
    assert.throws(
      () => driver.configure({ precision: 3 as unknown as 'high' }),
      (e) => e instanceof RangeError && /precision/.test(e.message),
    );
    assert.throws(
      () => driver.heat(50 as Sht4xHeaterPower, 1000),
      (e) => e instanceof RangeError && /powerMw/.test(e.message),
    );
    assert.throws(
      () => driver.heat(200, 500 as Sht4xHeaterDuration),
      (e) => e instanceof RangeError && /durationMs/.test(e.message),
    );
  });

  it('heat after close throws closed', () => {
    const { driver } = open(SHT4X_CHIP);
    driver.close();
    assert.throws(() => driver.heat(20, 100), io('closed'));
  });
});
