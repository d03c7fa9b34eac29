import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import { Sht4x, type Sht4xOptions } from '../../hal/drivers/sht4x/sht4x.js';
import type { Sht4xHeaterDuration, Sht4xHeaterPower } from '../../hal/drivers/sht4x/registers.js';
import { SimI2C } from '../../hal/sim/sim-i2c.js';
import { Aht20Model } from '../../sim/models/aht20-model.js';
import { Sht3xModel } from '../../sim/models/sht3x-model.js';
import { Sht4xModel } from '../../sim/models/sht4x-model.js';
import { SimI2cBus } from '../../sim/i2c/sim-i2c-bus.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

function setup(options: Partial<Sht4xOptions> = {}) {
  const clock = new VirtualClock(0);
  const bus = new SimI2cBus(0);
  const model = new Sht4xModel(0x44, clock, { serial: 0x87654321 });
  bus.attach(model);
  const i2c = new SimI2C(bus, 0x44);
  const driver = new Sht4x({ i2c, clock, ...options });
  return { clock, bus, model, i2c, driver };
}

/** Virtual time is a float: 4 ms + 1.6 ms is not exactly 5.6 ms. */
function assertElapsed(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `waited ${actual} ms, expected ${expected} ms`);
}

function io(code: string) {
  return (e: unknown) => e instanceof IoError && e.code === code;
}

describe('SHT4x driver against its model', () => {
  it('converts raw 0x6666 with §4.6 exactly: 25 °C and 44 %RH', () => {
    const { model, driver } = setup();
    model.setRaw(0x6666, 0x6666);
    const s = driver.sample();
    assert.equal(s.temperature, -45 + (175 * 0x6666) / 65535);
    assert.equal(s.temperature, 25);
    assert.equal(s.humidity, -6 + (125 * 0x6666) / 65535);
    assert.equal(s.humidity, 44);
  });

  it('crops humidity to 0..100 %RH as the datasheet advises', () => {
    const { model, driver } = setup();
    model.setRaw(0x6666, 0);
    assert.equal(driver.sample().humidity, 0);
    model.setRaw(0x6666, 0xffff);
    assert.equal(driver.sample().humidity, 100);
  });

  it('identifies the chip by its serial number', () => {
    assert.equal(setup().driver.serialNumber, 0x87654321);
  });

  it('refuses an SHT3x at the address (0x89 never answered) as absent', () => {
    const clock = new VirtualClock(0);
    const bus = new SimI2cBus(0);
    bus.attach(new Sht3xModel(0x44, clock));
    clock.delay(2);
    assert.throws(() => new Sht4x({ i2c: new SimI2C(bus, 0x44), clock }), io('absent'));
  });

  it('refuses an AHT20 at the address (serial fails its CRC) as absent, naming the bytes', () => {
    const clock = new VirtualClock(0);
    const bus = new SimI2cBus(0);
    bus.attach(new Aht20Model(0x44, clock));
    clock.delay(100);
    assert.throws(
      () => new Sht4x({ i2c: new SimI2C(bus, 0x44), clock }),
      (e) => io('absent')(e) && /not an SHT4x.*bytes [0-9a-f]{12}/.test((e as Error).message),
    );
  });

  it('soft reset sends 0x94 and waits 1 ms', () => {
    const { clock, model, driver } = setup();
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
      const { clock, model, driver } = setup();
      driver.configure({ precision });
      const t0 = clock.now();
      driver.sample();
      assert.equal(model.lastCommand, command);
      assertElapsed(clock.now() - t0, ms);
    });
  }

  it('the model NACKs a read before the measurement is done; the driver reads once, after it', () => {
    const { clock, bus, i2c, driver } = setup();
    i2c.write(Uint8Array.of(0xfd));
    clock.delay(8);
    assert.throws(() => i2c.read(6), io('nack'));
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
      const { clock, model, driver } = setup();
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
    const { clock, model, driver } = setup();
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

  it('sweeps −40..125 °C and 0..100 %RH within 0.01', () => {
    const { model, driver } = setup();
    for (let i = 0; i <= 33; i++) {
      const t = -40 + i * 5;
      const rh = Math.min(100, i * 3.1);
      model.setValue('temperature', t);
      model.setValue('humidity', rh);
      const s = driver.sample();
      assert.ok(Math.abs(s.temperature - t) <= 0.01, `${s.temperature} vs ${t}`);
      assert.ok(Math.abs(s.humidity - rh) <= 0.01, `${s.humidity} vs ${rh}`);
    }
  });

  it('NACK propagates', () => {
    const { model, driver } = setup();
    model.nackNext();
    assert.throws(() => driver.sample(), io('nack'));
  });

  it('a stuck bus throws bus-stuck', () => {
    const { bus, driver } = setup();
    bus.stuck = true;
    assert.throws(() => driver.sample(), io('bus-stuck'));
  });

  it('a corrupted measurement throws crc, never a value', () => {
    const { model, driver } = setup();
    model.corruptNext();
    assert.throws(() => driver.sample(), io('crc'));
  });

  it('unplug → nack; after replug a new driver works', () => {
    const { clock, bus, model, driver } = setup();
    model.unplug();
    assert.throws(() => driver.sample(), io('nack'));
    driver.close();
    model.replug();
    model.setValue('temperature', 30);
    const again = new Sht4x({ i2c: new SimI2C(bus, 0x44), clock });
    assert.ok(Math.abs(again.sample().temperature - 30) <= 0.01);
  });

  it('a slow chip is waited for within the bound, a too slow one times out', () => {
    const { clock, model, driver } = setup();
    model.slow(5);
    const t0 = clock.now();
    driver.sample();
    assertElapsed(clock.now() - t0, 8.3 + 5);
    model.slow(100);
    assert.throws(() => driver.sample(), io('timeout'));
  });

  it('bad options throw TypeError/RangeError naming the option', () => {
    const { clock, i2c, driver } = setup();
    assert.throws(() => new Sht4x(undefined as unknown as Sht4xOptions), TypeError);
    assert.throws(
      () => new Sht4x({ clock } as unknown as Sht4xOptions),
      (e) => e instanceof TypeError && /i2c/.test(e.message),
    );
    assert.throws(
      () => new Sht4x({ i2c, clock, precision: 'ultra' as 'high' }),
      (e) => e instanceof RangeError && /precision/.test(e.message),
    );
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

  it('close twice is harmless; use after close throws closed', () => {
    const { driver } = setup();
    driver.close();
    driver.close();
    assert.throws(() => driver.sample(), io('closed'));
    assert.throws(() => driver.heat(20, 100), io('closed'));
  });
});
