import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SHT3X_STATUS } from '../../hal/drivers/sht3x/registers.js';
import { Aht20Model } from '../../sim/models/aht20-model.js';
import { Sht4xModel } from '../../sim/models/sht4x-model.js';
import { SHT3X_CHIP } from './emulated-sensors.js';
import { assertElapsed, io, open, rig } from './rig.js';

// Range stepping, NACK, stuck bus, CRC, unplug, the common option checks and close: test/drivers/i2c-sensors.test.ts.
describe('SHT3x driver against its model', () => {
  it('reads the datasheet CRC check value 0xBEEF → 0x92 on the wire and accepts it', () => {
    const { clock, model, i2c, driver } = open(SHT3X_CHIP);
    model.setRaw(0xbeef, 0x6666);
    const raw = i2c();
    raw.write(Uint8Array.of(0x24, 0x00));
    clock.delay(15.5);
    assert.deepEqual([...raw.read(3)], [0xbe, 0xef, 0x92]);
    assert.equal(driver.sample().temperature, -45 + (175 * 0xbeef) / 65535);
  });

  it('converts raw ticks with §4.13 exactly: 0x6666 → 25 °C, 0x8000 → 100·32768/65535 %RH', () => {
    const { model, driver } = open(SHT3X_CHIP);
    model.setRaw(0x6666, 0x8000);
    const s = driver.sample();
    assert.equal(s.temperature, 25);
    assert.equal(s.temperature, -45 + (175 * 0x6666) / 65535);
    assert.equal(s.humidity, (100 * 0x8000) / 65535);
  });

  it('identifies the chip by its serial number', () => {
    assert.equal(open(SHT3X_CHIP).driver.serialNumber, 0x12345678);
  });

  it('refuses an AHT20 at the address (serial fails its CRC) as absent, naming the bytes', () => {
    const { clock, make } = rig({ ...SHT3X_CHIP, model: (a, c) => new Aht20Model(a, c) });
    clock.delay(100);
    assert.throws(
      () => make(),
      (e) => io('absent')(e) && /not an SHT3x.*bytes [0-9a-f]{12}/.test((e as Error).message),
    );
  });

  it('refuses an SHT4x at the address (command never answered) as absent', () => {
    const { make } = rig({ ...SHT3X_CHIP, model: (a, c) => new Sht4xModel(a, c) });
    assert.throws(() => make(), io('absent'));
  });

  it('an empty address NACKs', () => {
    const { bus, address, make } = rig(SHT3X_CHIP);
    bus.detach(address);
    assert.throws(() => make(), io('nack'));
  });

  it('soft reset: the status shows reset-detected again and the heater setting is re-applied', () => {
    const { model, driver } = open(SHT3X_CHIP, { heater: true });
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
      const { clock, model, driver } = open(SHT3X_CHIP);
      driver.configure({ repeatability });
      const t0 = clock.now();
      driver.sample();
      assert.equal(model.lastCommand, command);
      assertElapsed(clock.now() - t0, ms);
    });
  }

  it('the model NACKs a read before the measurement is done; the driver reads once, after it', () => {
    const { clock, bus, i2c, driver } = open(SHT3X_CHIP);
    const raw = i2c();
    raw.write(Uint8Array.of(0x24, 0x00));
    clock.delay(15);
    assert.throws(() => raw.read(6), io('nack'));
    const n = bus.transfers;
    driver.sample();
    assert.equal(bus.transfers - n, 2);
  });

  it('the heater raises the temperature reading and shows in the status; off restores it', () => {
    const { model, driver } = open(SHT3X_CHIP);
    model.setValue('temperature', 20);
    driver.configure({ heater: true });
    assert.notEqual(driver.readStatus() & SHT3X_STATUS.heaterOn, 0);
    assert.ok(Math.abs(driver.sample().temperature - (20 + model.heaterRiseC)) <= 0.01);
    driver.configure({ heater: false });
    assert.equal(driver.readStatus() & SHT3X_STATUS.heaterOn, 0);
    assert.ok(Math.abs(driver.sample().temperature - 20) <= 0.01);
  });

  it('a corrupted status word throws crc', () => {
    const { model, driver } = open(SHT3X_CHIP);
    model.corruptNext();
    assert.throws(() => driver.readStatus(), io('crc'));
  });

  it('a slow chip is waited for within the bound, a too slow one times out', () => {
    const { clock, model, driver } = open(SHT3X_CHIP);
    model.slow(5);
    const t0 = clock.now();
    driver.sample();
    assertElapsed(clock.now() - t0, 15.5 + 5);
    model.slow(100);
    assert.throws(() => driver.sample(), io('timeout'));
  });

  it('bad settings throw RangeError/TypeError naming the setting', () => {
    const { make } = rig(SHT3X_CHIP);
    assert.throws(
      () => make({ repeatability: 'ultra' as 'high' }),
      (e) => e instanceof RangeError && /repeatability/.test(e.message),
    );
    assert.throws(
      () => make().configure({ heater: 1 as unknown as boolean }),
      (e) => e instanceof TypeError && /heater/.test(e.message),
    );
  });

  it('close turns the heater off; configure after close throws closed', () => {
    const { model, driver } = open(SHT3X_CHIP, { heater: true });
    driver.close();
    assert.equal(model.heaterOn, false);
    assert.throws(() => driver.configure({ heater: true }), io('closed'));
  });
});
