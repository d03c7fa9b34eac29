import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS } from '../../hal/drivers/registry.js';
import { MODELS } from '../../sim/models/model-registry.js';
import { EMULATED_I2C_SENSORS } from './emulated-sensors.js';
import { io, near, open, rig, stepAcrossRange } from './rig.js';

/**
 * What every emulated I2C sensor must do, whatever the chip (Zephyr's
 * tests/drivers/build_all/sensor in small): read its whole range within the
 * resolution its driver states, and meet the error model of
 * hal/drivers/sensor-driver.ts: faults are IoErrors with a code, a fault
 * passes, bad options name the option, close is final. What only one chip
 * does is in that chip's own test.
 */
const STEPS = 33;

describe('every registered I2C driver has an emulated sensor', () => {
  it('each driver in hal/drivers/registry.ts is listed in emulated-sensors.ts, with a model of the same name', () => {
    const drivers = Object.keys(DRIVERS).filter((n) => DRIVERS[n].kind === 'i2c');
    assert.deepEqual(EMULATED_I2C_SENSORS.map((s) => s.name).sort(), drivers.sort());
    for (const name of drivers) assert.equal(MODELS[name]?.kind, 'i2c', `${name} has an I2C model in sim/models/model-registry.ts`);
  });
});

for (const chip of EMULATED_I2C_SENSORS) {
  /** A reading in the middle of every channel's range. */
  const midRange = (d: { channels: readonly { name: string; min: number; max: number }[] }) =>
    Object.fromEntries(d.channels.map((c) => [c.name, (c.min + c.max) / 2]));
  const setAll = (m: { setValue(name: string, v: number): void }, values: Record<string, number>) => {
    for (const [k, v] of Object.entries(values)) m.setValue(k, v);
  };
  const readsBack = (
    d: { channels: readonly { name: string; resolution: number }[]; sample(): Record<string, number | boolean> },
    values: Record<string, number>,
  ) => {
    const s = d.sample();
    for (const c of d.channels) near(s[c.name] as number | undefined, values[c.name], c.resolution, `${chip.name} ${c.name}`);
  };

  describe(`${chip.name}: the emulated-sensor suite`, () => {
    it(`steps every channel across its range in ${STEPS} steps; each reading within the stated resolution`, () => {
      const { model, driver } = open(chip, chip.finest);
      assert.ok(driver.channels.length > 0);
      for (const c of driver.channels) assert.ok(c.min < c.max && c.resolution > 0, `${c.name}: ${c.min}..${c.max} by ${c.resolution}`);
      assert.equal(stepAcrossRange(model, driver, STEPS), (STEPS + 1) * driver.channels.length);
    });

    it('a NACK during a sample propagates as nack; the next sample works', () => {
      const { model, driver } = open(chip, chip.finest);
      const values = midRange(driver);
      setAll(model, values);
      model.nackNext();
      assert.throws(() => driver.sample(), io('nack'));
      readsBack(driver, values);
    });

    it('a stuck bus throws bus-stuck; released, the next sample works', () => {
      const { bus, model, driver } = open(chip, chip.finest);
      const values = midRange(driver);
      setAll(model, values);
      bus.stuck = true;
      assert.throws(() => driver.sample(), io('bus-stuck'));
      bus.stuck = false;
      readsBack(driver, values);
    });

    if (chip.crc) {
      it('a corrupted read throws crc, never a value', () => {
        const { model, driver } = open(chip, chip.finest);
        model.corruptNext();
        assert.throws(() => driver.sample(), io('crc'));
      });
    }

    it('unplugged: nack; replugged, a new driver reads the model again', () => {
      const { model, driver, make } = open(chip, chip.finest);
      model.unplug();
      assert.throws(() => driver.sample(), io('nack'));
      driver.close();
      model.replug();
      const again = make(chip.finest);
      const values = midRange(again);
      setAll(model, values);
      readsBack(again, values);
    });

    it('bad options throw TypeError naming the option, before touching the bus', () => {
      const { bus, clock, i2c } = rig(chip);
      const before = bus.transfers;
      const make = (o: unknown) => () => chip.driver(o as Parameters<typeof chip.driver>[0]);
      assert.throws(make(undefined), (e: Error) => e instanceof TypeError && /options/.test(e.message));
      assert.throws(make(null), TypeError);
      assert.throws(make({ clock }), (e: Error) => e instanceof TypeError && /i2c/.test(e.message));
      assert.throws(make({ i2c: i2c() }), (e: Error) => e instanceof TypeError && /clock/.test(e.message));
      assert.throws(make({ i2c: i2c(), clock: {} }), (e: Error) => e instanceof TypeError && /clock\.(now|delay)/.test(e.message));
      assert.equal(bus.transfers, before);
      const { driver } = open(chip);
      assert.throws(
        () => driver.configure(null as unknown as object),
        (e: Error) => e instanceof TypeError && /options/.test(e.message),
      );
    });

    it('close twice is harmless; use after close throws closed', () => {
      const { driver } = open(chip);
      driver.close();
      driver.close();
      assert.throws(() => driver.sample(), io('closed'));
      assert.throws(() => driver.configure({}), io('closed'));
    });
  });
}
