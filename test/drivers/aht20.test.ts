import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import { Aht20, type Aht20Options } from '../../hal/drivers/aht20/aht20.js';
import { crc8 } from '../../hal/drivers/crc8.js';
import { SimI2C } from '../../hal/sim/sim-i2c.js';
import { Aht20Model, type Aht20ModelOptions } from '../../sim/models/aht20-model.js';
import { RegisterDeviceModel } from '../../sim/i2c/register-device-model.js';
import { SimI2cBus } from '../../sim/i2c/sim-i2c-bus.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

function setup(modelOptions: Aht20ModelOptions = {}) {
  const clock = new VirtualClock(0);
  const bus = new SimI2cBus(0);
  const model = new Aht20Model(0x38, clock, modelOptions);
  bus.attach(model);
  const i2c = new SimI2C(bus, 0x38);
  const driver = new Aht20({ i2c, clock });
  return { clock, bus, model, i2c, driver };
}

function io(code: string) {
  return (e: unknown) => e instanceof IoError && e.code === code;
}

/** Some other chip at 0x38: a plain register file that reads back what was poked. */
class OtherChip extends RegisterDeviceModel {
  reset(): void {}
}

describe('AHT20 driver against its model', () => {
  it('converts raw ticks exactly: S_RH 0x80000 → 50 %RH, S_T 0x60000 → 25 °C', () => {
    const { model, driver } = setup();
    model.setRaw(0x80000, 0x60000);
    const s = driver.sample();
    assert.equal(s.humidity, (0x80000 / 2 ** 20) * 100);
    assert.equal(s.humidity, 50);
    assert.equal(s.temperature, (0x60000 / 2 ** 20) * 200 - 50);
    assert.equal(s.temperature, 25);
  });

  it('unpacks the 20-bit fields across the shared byte', () => {
    const { model, driver } = setup();
    model.setRaw(0xabcde, 0x12345);
    const s = driver.sample();
    assert.equal(s.humidity, (0xabcde / 2 ** 20) * 100);
    assert.equal(s.temperature, (0x12345 / 2 ** 20) * 200 - 50);
  });

  it('a calibrated chip gets no init; an uncalibrated one gets 0xBE 0x08 0x00 once', () => {
    assert.equal(setup().model.inits, 0);
    const { model, driver } = setup({ calibratedAtPowerOn: false });
    assert.equal(model.inits, 1);
    assert.equal(model.calibrated, true);
    assert.equal(typeof driver.sample().humidity, 'number');
  });

  it('waits 40 ms after power-on before talking to the chip', () => {
    const { clock } = setup();
    // 40 ms power-on + 80 ms trial measurement, nothing else.
    assert.equal(clock.now(), 120);
  });

  it('refuses a chip whose calibration bit never sets as absent, naming the status', () => {
    const clock = new VirtualClock(0);
    const bus = new SimI2cBus(0);
    bus.attach(new OtherChip(0x38, clock));
    assert.throws(
      () => new Aht20({ i2c: new SimI2C(bus, 0x38), clock }),
      (e) => io('absent')(e) && /status 0x0 after init/.test((e as Error).message),
    );
  });

  it('refuses a chip whose trial measurement fails its CRC as absent', () => {
    const clock = new VirtualClock(0);
    const bus = new SimI2cBus(0);
    const other = new OtherChip(0x38, clock);
    other.poke(0, [0x08, 1, 2, 3, 4, 5, 6, 0x08, 1, 2, 3, 4, 5, 6]);
    bus.attach(other);
    assert.notEqual(crc8([0x08, 1, 2, 3, 4, 5]), 6);
    assert.throws(
      () => new Aht20({ i2c: new SimI2C(bus, 0x38), clock }),
      (e) => io('absent')(e) && /trial measurement/.test((e as Error).message),
    );
  });

  it('soft reset sends 0xBA, waits 20 ms and re-initialises a chip that lost calibration', () => {
    const { clock, model, driver } = setup({ calibratedAtPowerOn: false });
    const t0 = clock.now();
    driver.reset();
    assert.equal(model.softResets, 1);
    assert.equal(model.inits, 2);
    assert.equal(clock.now() - t0, 20 + 10);
    assert.equal(typeof driver.sample().temperature, 'number');
  });

  it('the status busy bit is set until 80 ms after the trigger; the driver reads once, after it', () => {
    const { clock, bus, i2c, driver } = setup();
    i2c.write(Uint8Array.of(0xac, 0x33, 0x00));
    clock.delay(79);
    assert.equal(i2c.read(1)[0] & 0x80, 0x80);
    clock.delay(1);
    assert.equal(i2c.read(1)[0] & 0x80, 0);
    const n = bus.transfers;
    const t0 = clock.now();
    driver.sample();
    assert.equal(bus.transfers - n, 2);
    assert.equal(clock.now() - t0, 80);
  });

  it('sweeps −40..85 °C and 0..100 %RH within the stated resolution', () => {
    const { model, driver } = setup();
    for (let i = 0; i <= 25; i++) {
      const t = -40 + i * 5;
      const rh = i * 4;
      model.setValue('temperature', t);
      model.setValue('humidity', rh);
      const s = driver.sample();
      assert.ok(Math.abs(s.temperature - t) <= 0.01, `${s.temperature} vs ${t}`);
      assert.ok(Math.abs(s.humidity - rh) <= 0.024, `${s.humidity} vs ${rh}`);
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

  it('a corrupted frame throws crc, never a value', () => {
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
    const again = new Aht20({ i2c: new SimI2C(bus, 0x38), clock });
    assert.ok(Math.abs(again.sample().temperature - 30) <= 0.01);
  });

  it('a slow chip is polled within the bound, a too slow one times out', () => {
    const { clock, model, driver } = setup();
    model.slow(15);
    const t0 = clock.now();
    driver.sample();
    assert.equal(clock.now() - t0, 80 + 2 * 10);
    model.slow(1000);
    assert.throws(() => driver.sample(), io('timeout'));
  });

  it('bad options throw TypeError naming the option', () => {
    const { clock, i2c, driver } = setup();
    assert.throws(() => new Aht20(null as unknown as Aht20Options), TypeError);
    assert.throws(
      () => new Aht20({ clock } as unknown as Aht20Options),
      (e) => e instanceof TypeError && /i2c/.test(e.message),
    );
    assert.throws(
      () => new Aht20({ i2c, clock: {} } as unknown as Aht20Options),
      (e) => e instanceof TypeError && /clock\.(now|delay)/.test(e.message),
    );
    assert.throws(
      () => driver.configure(null as unknown as object),
      (e) => e instanceof TypeError && /options/.test(e.message),
    );
  });

  it('close twice is harmless; use after close throws closed', () => {
    const { driver } = setup();
    driver.close();
    driver.close();
    assert.throws(() => driver.sample(), io('closed'));
    assert.throws(() => driver.reset(), io('closed'));
  });
});
