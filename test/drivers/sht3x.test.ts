import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import { Sht3x, type Sht3xOptions } from '../../hal/drivers/sht3x/sht3x.js';
import { SHT3X_STATUS } from '../../hal/drivers/sht3x/registers.js';
import { SimI2C } from '../../hal/sim/sim-i2c.js';
import { Aht20Model } from '../../sim/models/aht20-model.js';
import { Sht3xModel } from '../../sim/models/sht3x-model.js';
import { Sht4xModel } from '../../sim/models/sht4x-model.js';
import { SimI2cBus } from '../../sim/i2c/sim-i2c-bus.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

function setup(options: Partial<Sht3xOptions> = {}) {
  const clock = new VirtualClock(0);
  const bus = new SimI2cBus(0);
  const model = new Sht3xModel(0x44, clock, { serial: 0x12345678 });
  bus.attach(model);
  const i2c = new SimI2C(bus, 0x44);
  const driver = new Sht3x({ i2c, clock, ...options });
  return { clock, bus, model, i2c, driver };
}

/** Virtual time is a float: 4 ms + 1.6 ms is not exactly 5.6 ms. */
function assertElapsed(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `waited ${actual} ms, expected ${expected} ms`);
}

function io(code: string) {
  return (e: unknown) => e instanceof IoError && e.code === code;
}

describe('SHT3x driver against its model', () => {
  it('reads the datasheet CRC check value 0xBEEF → 0x92 on the wire and accepts it', () => {
    const { clock, model, i2c, driver } = setup();
    model.setRaw(0xbeef, 0x6666);
    i2c.write(Uint8Array.of(0x24, 0x00));
    clock.delay(15.5);
    assert.deepEqual([...i2c.read(3)], [0xbe, 0xef, 0x92]);
    assert.equal(driver.sample().temperature, -45 + (175 * 0xbeef) / 65535);
  });

  it('converts raw ticks with §4.13 exactly: 0x6666 → 25 °C, 0x8000 → 100·32768/65535 %RH', () => {
    const { model, driver } = setup();
    model.setRaw(0x6666, 0x8000);
    const s = driver.sample();
    assert.equal(s.temperature, 25);
    assert.equal(s.temperature, -45 + (175 * 0x6666) / 65535);
    assert.equal(s.humidity, (100 * 0x8000) / 65535);
  });

  it('identifies the chip by its serial number', () => {
    assert.equal(setup().driver.serialNumber, 0x12345678);
  });

  it('refuses an AHT20 at the address (serial fails its CRC) as absent, naming the bytes', () => {
    const clock = new VirtualClock(0);
    const bus = new SimI2cBus(0);
    bus.attach(new Aht20Model(0x44, clock));
    clock.delay(100);
    assert.throws(
      () => new Sht3x({ i2c: new SimI2C(bus, 0x44), clock }),
      (e) => io('absent')(e) && /not an SHT3x.*bytes [0-9a-f]{12}/.test((e as Error).message),
    );
  });

  it('refuses an SHT4x at the address (command never answered) as absent', () => {
    const clock = new VirtualClock(0);
    const bus = new SimI2cBus(0);
    bus.attach(new Sht4xModel(0x44, clock));
    assert.throws(() => new Sht3x({ i2c: new SimI2C(bus, 0x44), clock }), io('absent'));
  });

  it('an empty address NACKs', () => {
    const clock = new VirtualClock(0);
    assert.throws(() => new Sht3x({ i2c: new SimI2C(new SimI2cBus(0), 0x44), clock }), io('nack'));
  });

  it('soft reset: the status shows reset-detected again and the heater setting is re-applied', () => {
    const { model, driver } = setup({ heater: true });
    driver.clearStatus();
    assert.equal(driver.readStatus() & SHT3X_STATUS.resetDetected, 0);
    const before = model.softResets;
    driver.reset();
    assert.equal(model.softResets, before + 1);
    assert.notEqual(driver.readStatus() & SHT3X_STATUS.resetDetected, 0);
    assert.equal(model.heaterOn, true);
  });

  for (const [repeatability, command, ms] of [
    ['high', 0x2400, 15.5],
    ['medium', 0x240b, 6.5],
    ['low', 0x2416, 4.5],
  ] as const) {
    it(`${repeatability} repeatability sends 0x${command.toString(16)} and waits ${ms} ms`, () => {
      const { clock, model, driver } = setup();
      driver.configure({ repeatability });
      const t0 = clock.now();
      driver.sample();
      assert.equal(model.lastCommand, command);
      assertElapsed(clock.now() - t0, ms);
    });
  }

  it('the model NACKs a read before the measurement is done; the driver reads once, after it', () => {
    const { clock, bus, i2c, driver } = setup();
    i2c.write(Uint8Array.of(0x24, 0x00));
    clock.delay(15);
    assert.throws(() => i2c.read(6), io('nack'));
    const n = bus.transfers;
    driver.sample();
    assert.equal(bus.transfers - n, 2);
  });

  it('the heater raises the temperature reading and shows in the status; off restores it', () => {
    const { model, driver } = setup();
    model.setValue('temperature', 20);
    driver.configure({ heater: true });
    assert.notEqual(driver.readStatus() & SHT3X_STATUS.heaterOn, 0);
    assert.ok(Math.abs(driver.sample().temperature - (20 + model.heaterRiseC)) <= 0.01);
    driver.configure({ heater: false });
    assert.equal(driver.readStatus() & SHT3X_STATUS.heaterOn, 0);
    assert.ok(Math.abs(driver.sample().temperature - 20) <= 0.01);
  });

  it('a corrupted status word throws crc', () => {
    const { model, driver } = setup();
    model.corruptNext();
    assert.throws(() => driver.readStatus(), io('crc'));
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
    const again = new Sht3x({ i2c: new SimI2C(bus, 0x44), clock });
    assert.ok(Math.abs(again.sample().temperature - 30) <= 0.01);
  });

  it('a slow chip is waited for within the bound, a too slow one times out', () => {
    const { clock, model, driver } = setup();
    model.slow(5);
    const t0 = clock.now();
    driver.sample();
    assertElapsed(clock.now() - t0, 15.5 + 5);
    model.slow(100);
    assert.throws(() => driver.sample(), io('timeout'));
  });

  it('bad options throw TypeError/RangeError naming the option', () => {
    const { clock, i2c, driver } = setup();
    assert.throws(() => new Sht3x(null as unknown as Sht3xOptions), TypeError);
    assert.throws(
      () => new Sht3x({ clock } as unknown as Sht3xOptions),
      (e) => e instanceof TypeError && /i2c/.test(e.message),
    );
    assert.throws(
      () => new Sht3x({ i2c } as unknown as Sht3xOptions),
      (e) => e instanceof TypeError && /clock/.test(e.message),
    );
    assert.throws(
      () => new Sht3x({ i2c, clock, repeatability: 'ultra' as 'high' }),
      (e) => e instanceof RangeError && /repeatability/.test(e.message),
    );
    assert.throws(
      () => driver.configure({ heater: 1 as unknown as boolean }),
      (e) => e instanceof TypeError && /heater/.test(e.message),
    );
  });

  it('close twice is harmless; use after close throws closed; close turns the heater off', () => {
    const { model, driver } = setup({ heater: true });
    driver.close();
    driver.close();
    assert.equal(model.heaterOn, false);
    assert.throws(() => driver.sample(), io('closed'));
    assert.throws(() => driver.configure({ heater: true }), io('closed'));
  });
});
