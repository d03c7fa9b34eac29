import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc8 } from '../../hal/drivers/crc8.js';
import { RegisterDeviceModel } from '../../sim/i2c/register-device-model.js';
import { Aht20Model, type Aht20ModelOptions } from '../../sim/models/aht20-model.js';
import { AHT20_CHIP } from './emulated-sensors.js';
import { io, open, rig } from './rig.js';

/** The AHT20 rig, with the model's power-on state chosen. */
const openWith = (modelOptions: Aht20ModelOptions) => open({ ...AHT20_CHIP, model: (a, c) => new Aht20Model(a, c, modelOptions) });

/** Some other chip at 0x38: a plain register file that reads back what was poked. */
class OtherChip extends RegisterDeviceModel {
  reset(): void {}
}

// Range stepping, NACK, stuck bus, CRC, unplug, the common option checks and close: test/drivers/i2c-sensors.test.ts.
describe('AHT20 driver against its model', () => {
  it('converts raw ticks exactly: S_RH 0x80000 → 50 %RH, S_T 0x60000 → 25 °C', () => {
    const { model, driver } = open(AHT20_CHIP);
    model.setRaw(0x80000, 0x60000);
    const s = driver.sample();
    assert.equal(s.humidity, (0x80000 / 2 ** 20) * 100);
    assert.equal(s.humidity, 50);
    assert.equal(s.temperature, (0x60000 / 2 ** 20) * 200 - 50);
    assert.equal(s.temperature, 25);
  });

  it('unpacks the 20-bit fields across the shared byte', () => {
    const { model, driver } = open(AHT20_CHIP);
    model.setRaw(0xabcde, 0x12345);
    const s = driver.sample();
    assert.equal(s.humidity, (0xabcde / 2 ** 20) * 100);
    assert.equal(s.temperature, (0x12345 / 2 ** 20) * 200 - 50);
  });

  it('a calibrated chip gets no init; an uncalibrated one gets 0xBE 0x08 0x00 once', () => {
    assert.equal(open(AHT20_CHIP).model.inits, 0);
    const { model, driver } = openWith({ calibratedAtPowerOn: false });
    assert.equal(model.inits, 1);
    assert.equal(model.calibrated, true);
    assert.equal(typeof driver.sample().humidity, 'number');
  });

  it('waits 40 ms after power-on before talking to the chip', () => {
    const { clock } = open(AHT20_CHIP);
    // 40 ms power-on + 80 ms trial measurement, nothing else.
    assert.equal(clock.now(), 120);
  });

  it('refuses a chip whose calibration bit never sets as absent, naming the status', () => {
    const { make } = rig({ ...AHT20_CHIP, model: (a, c) => new OtherChip(a, c) });
    assert.throws(
      () => make(),
      (e) => io('absent')(e) && /status 0x0 after init/.test((e as Error).message),
    );
  });

  it('refuses a chip whose trial measurement fails its CRC as absent', () => {
    const { model: other, make } = rig({ ...AHT20_CHIP, model: (a, c) => new OtherChip(a, c) });
    other.poke(0, [0x08, 1, 2, 3, 4, 5, 6, 0x08, 1, 2, 3, 4, 5, 6]);
    assert.notEqual(crc8([0x08, 1, 2, 3, 4, 5]), 6);
    assert.throws(
      () => make(),
      (e) => io('absent')(e) && /trial measurement/.test((e as Error).message),
    );
  });

  it('soft reset sends 0xBA, waits 20 ms and re-initialises a chip that lost calibration', () => {
    const { clock, model, driver } = openWith({ calibratedAtPowerOn: false });
    const t0 = clock.now();
    driver.reset();
    assert.equal(model.softResets, 1);
    assert.equal(model.inits, 2);
    assert.equal(clock.now() - t0, 20 + 10);
    assert.equal(typeof driver.sample().temperature, 'number');
  });

  it('the status busy bit is set until 80 ms after the trigger; the driver reads once, after it', () => {
    const { clock, bus, i2c, driver } = open(AHT20_CHIP);
    const raw = i2c();
    raw.write(Uint8Array.of(0xac, 0x33, 0x00));
    clock.delay(79);
    assert.equal(raw.read(1)[0] & 0x80, 0x80);
    clock.delay(1);
    assert.equal(raw.read(1)[0] & 0x80, 0);
    const n = bus.transfers;
    const t0 = clock.now();
    driver.sample();
    assert.equal(bus.transfers - n, 2);
    assert.equal(clock.now() - t0, 80);
  });

  it('a slow chip is polled within the bound, a too slow one times out', () => {
    const { clock, model, driver } = open(AHT20_CHIP);
    model.slow(15);
    const t0 = clock.now();
    driver.sample();
    assert.equal(clock.now() - t0, 80 + 2 * 10);
    model.slow(1000);
    assert.throws(() => driver.sample(), io('timeout'));
  });

  it('reset after close throws closed', () => {
    const { driver } = open(AHT20_CHIP);
    driver.close();
    assert.throws(() => driver.reset(), io('closed'));
  });
});
