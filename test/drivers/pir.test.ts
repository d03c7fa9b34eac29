import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import type { DigitalOptions } from '../../hal/contracts/io.js';
import { Pir, type PirEvent, type PirOptions } from '../../hal/drivers/pir/pir.js';
import { SimDigital } from '../../hal/sim/sim-digital.js';
import { PirModel } from '../../sim/models/pir-model.js';
import { SimPins } from '../../sim/world/sim-pins.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const GPIO = 13;

function rig(settings: Partial<PirOptions> = {}, model: { holdMs?: number; retrigger?: boolean; blockMs?: number } = {}) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const pins = new SimPins();
  const pir = new PirModel({ pins, gpio: GPIO, clock, holdMs: 2000, blockMs: 0, ...model });
  const events: { type: PirEvent['type']; at: number }[] = [];
  const opened: DigitalOptions[] = [];
  const openDigital = (o: DigitalOptions) => {
    opened.push(o);
    return new SimDigital(pins, o);
  };
  const driver = new Pir({ pin: GPIO, openDigital, time: clock, onEvent: (e) => events.push({ type: e.type, at: e.time - t0 }), ...settings });
  return { clock, t0, pins, pir, driver, events, opened };
}

describe('PIR', () => {
  it('declares a boolean motion channel', () => {
    const { driver } = rig();
    assert.deepEqual(driver.channels, [{ name: 'motion', min: 0, max: 1, resolution: 1 }]);
  });

  it('opens the pin as a pulled-down input watching both edges', () => {
    const { opened } = rig();
    assert.equal(opened[0].mode, 'input-pulldown');
    assert.equal(opened[0].edge, 'both');
  });

  it('motion follows the module output: start on its rise, end when it falls after its hold', () => {
    const { clock, t0, pir, driver, events } = rig();
    assert.deepEqual(driver.sample(), { motion: false });
    pir.motionAt(t0 + 1000);
    clock.runUntil(t0 + 1500);
    assert.deepEqual(driver.sample(), { motion: true });
    clock.runUntil(t0 + 5000);
    assert.deepEqual(driver.sample(), { motion: false });
    assert.deepEqual(events, [
      { type: 'motion-start', at: 1000 },
      { type: 'motion-end', at: 3000 },
    ]);
  });

  it('a retriggering module keeps motion true while triggers continue', () => {
    const { clock, t0, pir, events } = rig();
    for (const t of [0, 1500, 3000]) pir.motionAt(t0 + t);
    clock.runUntil(t0 + 10_000);
    assert.deepEqual(events, [
      { type: 'motion-start', at: 0 },
      { type: 'motion-end', at: 5000 },
    ]);
  });

  it('holdMs bridges gaps between module pulses (retriggerable hold)', () => {
    const { clock, t0, pir, driver, events } = rig({ holdMs: 3000 }, { retrigger: false });
    // Pulses 0–2000 and 4000–6000: a 2 s gap, shorter than the 3 s hold.
    pir.motionAt(t0);
    pir.motionAt(t0 + 4000);
    clock.runUntil(t0 + 3000);
    assert.deepEqual(driver.sample(), { motion: true }, 'held after the first pulse fell');
    clock.runUntil(t0 + 20_000);
    assert.deepEqual(events, [
      { type: 'motion-start', at: 0 },
      { type: 'motion-end', at: 9000 },
    ]);
  });

  it('the non-retriggering model ignores motion while high and during its block time', () => {
    const { clock, t0, pir, events } = rig({}, { retrigger: false, blockMs: 2500 });
    pir.motionAt(t0);
    pir.motionAt(t0 + 1000); // while high: ignored
    pir.motionAt(t0 + 3000); // blocked until 4500: ignored
    pir.motionAt(t0 + 5000);
    clock.runUntil(t0 + 10_000);
    assert.deepEqual(events, [
      { type: 'motion-start', at: 0 },
      { type: 'motion-end', at: 2000 },
      { type: 'motion-start', at: 5000 },
      { type: 'motion-end', at: 7000 },
    ]);
  });

  it('debounce ignores a glitch shorter than debounceMs', () => {
    const { clock, pins, driver, events } = rig({ debounceMs: 50 });
    pins.setLevel(GPIO, 1);
    clock.runFor(10);
    pins.setLevel(GPIO, 0);
    clock.runFor(200);
    assert.deepEqual(events, []);
    assert.deepEqual(driver.sample(), { motion: false });
  });

  it('debounce accepts a level once it has held debounceMs', () => {
    const { clock, pins, events } = rig({ debounceMs: 50 });
    pins.bounce(GPIO, 1, 5, 3, clock); // settles at +12 ms
    clock.runFor(61);
    assert.deepEqual(events, []);
    clock.runFor(1);
    assert.deepEqual(events, [{ type: 'motion-start', at: 62 }]);
  });

  it('a module already high at construction reads as motion, without an event', () => {
    const clock = new VirtualClock();
    const pins = new SimPins();
    pins.setLevel(GPIO, 1);
    const events: PirEvent[] = [];
    const driver = new Pir({ pin: GPIO, openDigital: (o) => new SimDigital(pins, o), time: clock, onEvent: (e) => events.push(e) });
    assert.deepEqual(driver.sample(), { motion: true });
    assert.deepEqual(events, []);
  });

  it('configure changes the hold; a bad value changes nothing', () => {
    const { clock, t0, pir, driver, events } = rig();
    driver.configure({ holdMs: 1000 });
    assert.throws(
      () => driver.configure({ holdMs: 500, debounceMs: -1 }),
      (e: Error) => e instanceof RangeError && /debounceMs/.test(e.message),
    );
    pir.motionAt(t0);
    clock.runUntil(t0 + 10_000);
    assert.deepEqual(
      events.map((e) => e.at),
      [0, 3000],
    );
  });

  it('bad options throw TypeError/RangeError naming the option', () => {
    const clock = new VirtualClock();
    const pins = new SimPins();
    const openDigital = (o: DigitalOptions) => new SimDigital(pins, o);
    const make = (o: unknown) => () => new Pir(o as PirOptions);
    assert.throws(make(null), TypeError);
    assert.throws(make({ openDigital, time: clock }), (e: Error) => e instanceof TypeError && /pin/.test(e.message));
    assert.throws(make({ pin: 1, time: clock }), (e: Error) => e instanceof TypeError && /openDigital/.test(e.message));
    assert.throws(make({ pin: 1, openDigital }), (e: Error) => e instanceof TypeError && /time/.test(e.message));
    assert.throws(make({ pin: 1, openDigital, time: { now: () => 0 } }), (e: Error) => e instanceof TypeError && /setTimeout/.test(e.message));
    assert.throws(make({ pin: 1, openDigital, time: clock, holdMs: -5 }), (e: Error) => e instanceof RangeError && /holdMs/.test(e.message));
    assert.throws(make({ pin: 1, openDigital, time: clock, onEvent: 'x' }), (e: Error) => e instanceof TypeError && /onEvent/.test(e.message));
  });

  it('close() twice is harmless, stops events and releases the pin; use after close throws closed', () => {
    const { clock, t0, pins, pir, driver, events } = rig({ holdMs: 1000 });
    pir.motionAt(t0);
    clock.runUntil(t0 + 2500); // the module fell at 2000; the hold runs to 3000
    driver.close();
    driver.close();
    assert.equal(pins.watcherCount(GPIO), 0);
    clock.runUntil(t0 + 10_000);
    assert.deepEqual(events, [{ type: 'motion-start', at: 0 }]);
    assert.throws(
      () => driver.sample(),
      (e: unknown) => e instanceof IoError && e.code === 'closed',
    );
    assert.throws(
      () => driver.configure({ holdMs: 1 }),
      (e: unknown) => e instanceof IoError && e.code === 'closed',
    );
  });
});
