import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bh1750, type Bh1750Options } from '../../hal/drivers/bh1750/bh1750.js';
import { bh1750Lux, bh1750MtregCommands, bh1750Raw } from '../../hal/drivers/bh1750/decode.js';
import type { VirtualClock } from '../../sim/world/virtual-clock.js';
import { BH1750_CHIP } from './emulated-sensors.js';
import { io, open, rig } from './rig.js';

/** Times a call in simulated ms. */
function timed<T>(clock: VirtualClock, f: () => T): { value: T; ms: number } {
  const t0 = clock.now();
  const value = f();
  return { value, ms: clock.now() - t0 };
}

// Range stepping, NACK and stuck-bus recovery, the common option checks and close: test/drivers/i2c-sensors.test.ts.
describe('BH1750: datasheet', () => {
  it('replays the Read Format example: 0x83 0x90 → 28067 lx (p.10)', () => {
    assert.equal(bh1750Raw(Uint8Array.of(0x83, 0x90)), 33680);
    const { model, driver } = open(BH1750_CHIP);
    model.setRaw(0x8390);
    const lx = driver.sample().illuminance;
    assert.equal(lx, 33680 / 1.2);
    assert.equal(Math.round(lx), 28067);
  });

  it('scales by 69 / MTreg and halves in H-resolution mode2 (p.11)', () => {
    assert.equal(bh1750Lux(1000, 'high', 138), 1000 / 1.2 / 2);
    assert.ok(Math.abs(bh1750Lux(1, 'high2', 254) - (0.5 * 69) / (1.2 * 254)) < 1e-15);
    const { model, driver } = open(BH1750_CHIP, { resolution: 'high2', mtreg: 254 });
    model.setRaw(1);
    assert.ok(Math.abs(driver.sample().illuminance - 0.1132) < 1e-4);
  });

  it('the MTreg opcodes are 01000_MT[7:5] and 011_MT[4:0]', () => {
    assert.deepEqual(bh1750MtregCommands(69), [0x42, 0x65]);
    assert.deepEqual(bh1750MtregCommands(254), [0x47, 0x7e]);
    assert.deepEqual(bh1750MtregCommands(31), [0x40, 0x7f]);
  });
});

describe('BH1750: identification and reset', () => {
  it('construction powers on, resets, loads MTreg and starts continuous H-resolution', () => {
    const { model } = open(BH1750_CHIP);
    assert.deepEqual(model.commands, [0x01, 0x07, 0x42, 0x65, 0x10]);
    assert.equal(model.state, 'measuring');
    assert.equal(model.mtreg, 69);
  });

  it('no ACK to Power On means no chip: IoError absent, with the NACK as cause', () => {
    const { bus, address, make } = rig(BH1750_CHIP);
    bus.detach(address);
    assert.throws(
      () => make(),
      (e: unknown) => io('absent')(e) && /0x23/.test((e as Error).message) && io('nack')((e as { cause?: unknown }).cause),
    );
  });

  it('a stuck bus at construction is bus-stuck, not absent', () => {
    const { bus, make } = open(BH1750_CHIP);
    bus.stuck = true;
    assert.throws(() => make(), io('bus-stuck'));
  });

  it('Reset clears the data register, and is ignored in Power Down (p.5)', () => {
    const { clock, model, i2c } = open(BH1750_CHIP);
    model.setValue('illuminance', 500);
    clock.delay(200);
    assert.equal(model.dataRegister, 600);
    i2c().write(Uint8Array.of(0x00));
    i2c().write(Uint8Array.of(0x07));
    assert.equal(model.dataRegister, 600, 'powered down: Reset not accepted');
    i2c().write(Uint8Array.of(0x01));
    i2c().write(Uint8Array.of(0x07));
    assert.equal(model.dataRegister, 0);
  });

  it('the model takes one opcode per transaction (p.10): two bytes NACK', () => {
    const { i2c } = open(BH1750_CHIP);
    assert.throws(() => i2c().write(Uint8Array.of(0x01, 0x10)), io('nack'));
  });
});

describe('BH1750: timing', () => {
  it('reading the chip before its first conversion gives the reset value 0', () => {
    const { clock, model, i2c } = open(BH1750_CHIP);
    model.setValue('illuminance', 1000);
    assert.deepEqual(Array.from(i2c().read(2)), [0, 0]);
    clock.delay(119);
    assert.deepEqual(Array.from(i2c().read(2)), [0, 0]);
    clock.delay(1); // 120 ms typical
    assert.equal(bh1750Raw(i2c().read(2)), 1200);
  });

  it('a sample right after construction waits the 180 ms maximum, then no more', () => {
    const { clock, model, driver } = open(BH1750_CHIP);
    model.setValue('illuminance', 1000);
    const first = timed(clock, () => driver.sample());
    assert.equal(first.ms, 180);
    assert.equal(first.value.illuminance, 1000);
    const second = timed(clock, () => driver.sample());
    assert.equal(second.ms, 0);
  });

  it('continuous mode reports the last completed conversion', () => {
    const { clock, model, driver } = open(BH1750_CHIP);
    const t0 = clock.now();
    model.setSignal('illuminance', (t) => (t - t0 < 300 ? 100 : 400));
    assert.equal(driver.sample().illuminance, 100);
    clock.runUntil(t0 + 310); // a conversion ended at 240; the next ends at 360
    assert.equal(driver.sample().illuminance, 100);
    clock.runUntil(t0 + 370);
    assert.equal(driver.sample().illuminance, 400);
  });

  it('one-time H-resolution waits 180 ms per sample and leaves the chip powered down', () => {
    const { clock, model, driver } = open(BH1750_CHIP, { mode: 'one-time' });
    assert.equal(model.state, 'down');
    model.setValue('illuminance', 250);
    const s = timed(clock, () => driver.sample());
    assert.equal(s.ms, 180);
    assert.equal(s.value.illuminance, 250);
    assert.equal(model.state, 'down');
  });

  it('L-resolution waits 24 ms; MTreg 138 doubles the wait, MTreg 31 shortens it', () => {
    const { clock, driver } = open(BH1750_CHIP, { mode: 'one-time', resolution: 'low' });
    assert.equal(timed(clock, () => driver.sample()).ms, 24);
    driver.configure({ resolution: 'high', mtreg: 138 });
    assert.equal(timed(clock, () => driver.sample()).ms, 360);
    driver.configure({ mtreg: 31 });
    assert.equal(timed(clock, () => driver.sample()).ms, Math.ceil((180 * 31) / 69));
  });
});

describe('BH1750: modes and settings', () => {
  it('H-resolution mode2 reads to 0.5 lx', () => {
    const { model, driver } = open(BH1750_CHIP, { resolution: 'high2' });
    model.setValue('illuminance', 12.3);
    const lx = driver.sample().illuminance;
    assert.equal(model.commands[model.commands.length - 1], 0x11);
    assert.ok(Math.abs(lx - 12.3) <= driver.channels[0].resolution / 2 + 1e-9, `${lx}`);
    assert.equal(driver.channels[0].resolution, 1 / 2.4);
  });

  it('L-resolution reads to 4 lx', () => {
    const { model, driver } = open(BH1750_CHIP, { resolution: 'low' });
    model.setValue('illuminance', 1003);
    const lx = driver.sample().illuminance;
    assert.equal(model.commands[model.commands.length - 1], 0x13);
    assert.equal(driver.channels[0].resolution, 4);
    assert.ok(Math.abs(lx - 1003) <= 4, `${lx}`);
  });

  it('one-time opcodes are 0x20 / 0x21 / 0x23, each after Power On', () => {
    for (const [resolution, op] of [
      ['high', 0x20],
      ['high2', 0x21],
      ['low', 0x23],
    ] as const) {
      const { model, driver } = open(BH1750_CHIP, { mode: 'one-time', resolution });
      driver.sample();
      assert.deepEqual(model.commands.slice(-2), [0x01, op]);
    }
  });

  it('configure loads MTreg into the chip and rescales range and resolution', () => {
    const { model, driver } = open(BH1750_CHIP);
    assert.equal(driver.channels[0].max, 65535 / 1.2);
    driver.configure({ mtreg: 138 });
    assert.equal(model.mtreg, 138);
    assert.equal(driver.channels[0].max, 65535 / 1.2 / 2);
    assert.equal(driver.channels[0].resolution, 1 / 1.2 / 2);
    model.setValue('illuminance', 100);
    assert.ok(Math.abs(driver.sample().illuminance - 100) <= driver.channels[0].resolution);
  });

  it('every reading across the range is within one resolution step of the light', () => {
    for (const resolution of ['high', 'high2', 'low'] as const) {
      for (const mtreg of [31, 69, 254]) {
        const { model, driver } = open(BH1750_CHIP, { mode: 'one-time', resolution, mtreg });
        const { max, resolution: step } = driver.channels[0];
        for (const f of [0, 0.0001, 0.001, 0.01, 0.1, 0.25, 0.5, 0.9, 0.999]) {
          const lux = max * f;
          model.setValue('illuminance', lux);
          const got = driver.sample().illuminance;
          assert.ok(Math.abs(got - lux) <= step + 1e-9, `${resolution} MTreg ${mtreg}: ${lux} lx read ${got}`);
        }
      }
    }
  });

  it('saturates at the full-scale count', () => {
    const { model, driver } = open(BH1750_CHIP);
    model.setValue('illuminance', 100_000);
    assert.equal(driver.sample().illuminance, driver.channels[0].max);
  });
});

describe('BH1750: faults', () => {
  it('a NACK during a sample propagates; the next sample works', () => {
    const { model, driver } = open(BH1750_CHIP, { mode: 'one-time' });
    model.setValue('illuminance', 80);
    model.nackNext();
    assert.throws(() => driver.sample(), io('nack'));
    assert.equal(driver.sample().illuminance, 80);
  });

  it('unplugged: nack; replugged: a new driver works again', () => {
    const { model, driver, make } = open(BH1750_CHIP);
    model.setValue('illuminance', 42);
    model.unplug();
    assert.throws(() => driver.sample(), io('nack'));
    driver.close(); // the power-down NACKs, close still succeeds
    assert.throws(() => make(), io('absent'));
    model.replug();
    assert.equal(model.state, 'down', 'replug is a power cycle');
    assert.ok(Math.abs(make().sample().illuminance - 42) <= 1);
  });

  it('a chip slower than typical but within the datasheet maximum still gives a fresh result', () => {
    const { model, driver } = open(BH1750_CHIP, { mode: 'one-time' });
    model.slow(55); // 175 ms < 180 ms
    model.setValue('illuminance', 300);
    assert.equal(driver.sample().illuminance, 300);
  });

  it('a chip slower than its maximum cannot be detected (no ready flag): the previous result comes back', () => {
    const { model, driver } = open(BH1750_CHIP, { mode: 'one-time' });
    model.setValue('illuminance', 300);
    assert.equal(driver.sample().illuminance, 300);
    model.slow(500);
    model.setValue('illuminance', 600);
    assert.equal(driver.sample().illuminance, 300);
  });
});

describe('BH1750: options and lifecycle', () => {
  it('bad settings throw TypeError/RangeError naming the setting', () => {
    const { clock, i2c: handle } = rig(BH1750_CHIP);
    const i2c = handle();
    const make = (o: unknown) => () => new Bh1750(o as Bh1750Options);
    assert.throws(make({ i2c, clock, mode: 'often' }), (e: Error) => e instanceof RangeError && /mode/.test(e.message));
    assert.throws(make({ i2c, clock, resolution: 'ultra' }), (e: Error) => e instanceof RangeError && /resolution/.test(e.message));
    assert.throws(make({ i2c, clock, mtreg: 30 }), (e: Error) => e instanceof RangeError && /mtreg/.test(e.message));
    assert.throws(make({ i2c, clock, mtreg: 255 }), (e: Error) => e instanceof RangeError && /mtreg/.test(e.message));
    assert.throws(make({ i2c, clock, mtreg: 69.5 }), (e: Error) => e instanceof TypeError && /mtreg/.test(e.message));
  });

  it('a bad configure changes nothing', () => {
    const { model, driver } = open(BH1750_CHIP);
    const before = model.commands.length;
    assert.throws(() => driver.configure({ mode: 'continuous', mtreg: 300 }), /mtreg/);
    assert.deepEqual(driver.settings, { mode: 'continuous', resolution: 'high', mtreg: 69 });
    assert.equal(model.commands.length, before);
  });

  it('close() powers the chip down; twice is harmless; use after close throws closed', () => {
    const { model, driver } = open(BH1750_CHIP);
    driver.close();
    assert.equal(model.state, 'down');
    driver.close();
    assert.throws(() => driver.sample(), io('closed'));
    assert.throws(() => driver.configure({ mtreg: 100 }), io('closed'));
  });

  it('declares its channel: illuminance in lx', () => {
    const { driver } = open(BH1750_CHIP);
    assert.deepEqual(driver.channels, [{ name: 'illuminance', unit: 'lx', min: 0, max: 65535 / 1.2, resolution: 1 / 1.2 }]);
  });
});
