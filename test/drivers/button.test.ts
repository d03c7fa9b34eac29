import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import type { DigitalOptions } from '../../hal/contracts/io.js';
import { Button, type ButtonEvent, type ButtonOptions } from '../../hal/drivers/button/button.js';
import { SimDigital } from '../../hal/sim/sim-digital.js';
import { ButtonModel } from '../../sim/models/button-model.js';
import { SimPins } from '../../sim/world/sim-pins.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const GPIO = 0;

function rig(settings: Partial<ButtonOptions> = {}, model: { activeLow?: boolean; bounces?: number; bounceSpacingMs?: number } = {}) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const pins = new SimPins();
  const button = new ButtonModel({ pins, gpio: GPIO, clock, ...model });
  const events: (Omit<ButtonEvent, 'time'> & { at: number })[] = [];
  const opened: DigitalOptions[] = [];
  const openDigital = (o: DigitalOptions) => {
    opened.push(o);
    return new SimDigital(pins, o);
  };
  const driver = new Button({
    pin: GPIO,
    openDigital,
    time: clock,
    onEvent: ({ time, ...rest }) => events.push({ ...rest, at: time - t0 }),
    ...settings,
  });
  const types = () => events.map((e) => e.type);
  return { clock, t0, pins, button, driver, events, types, opened };
}

describe('Button: levels and pulls', () => {
  it('declares a boolean pressed channel', () => {
    assert.deepEqual(rig().driver.channels, [{ name: 'pressed', min: 0, max: 1, resolution: 1 }]);
  });

  it('active-low by default, with the pull-up on: released floats high, pressed pulls low', () => {
    const { clock, pins, button, driver, opened } = rig();
    assert.equal(opened[0].mode, 'input-pullup');
    assert.deepEqual(driver.sample(), { pressed: false });
    button.press();
    assert.equal(pins.level(GPIO), 0);
    clock.runFor(30);
    assert.deepEqual(driver.sample(), { pressed: true });
  });

  it('active-high buttons get a pull-down and read pressed on 1', () => {
    const { clock, button, driver, opened } = rig({ activeLow: false }, { activeLow: false });
    assert.equal(opened[0].mode, 'input-pulldown');
    button.press();
    clock.runFor(30);
    assert.deepEqual(driver.sample(), { pressed: true });
    button.release();
    clock.runFor(30);
    assert.deepEqual(driver.sample(), { pressed: false });
  });

  it("pull: 'none' opens a plain input for an external resistor", () => {
    assert.equal(rig({ pull: 'none' }).opened[0].mode, 'input');
  });
});

describe('Button: debounce', () => {
  it('a press is reported once the line has been quiet for 30 ms', () => {
    const { clock, button, events } = rig();
    button.press();
    clock.runFor(29);
    assert.deepEqual(events, []);
    clock.runFor(1);
    assert.deepEqual(events, [{ type: 'press', at: 30 }]);
  });

  it('contact chatter on press and release gives one press and one release', () => {
    const { clock, pins, button, types } = rig({}, { bounces: 4, bounceSpacingMs: 2 });
    let changes = 0;
    pins.watch(GPIO, () => changes++);
    button.click(200);
    clock.runFor(500);
    assert.equal(changes, 18, 'the model chattered: 9 changes per edge');
    assert.deepEqual(types(), ['press', 'release', 'click']);
  });

  it('without debounce, the same chatter is seen as many presses', () => {
    const { clock, button, types } = rig({ debounceMs: 0 }, { bounces: 4, bounceSpacingMs: 2 });
    button.click(200);
    clock.runFor(500);
    assert.ok(types().filter((t) => t === 'press').length > 1, types().join());
  });

  it('a glitch shorter than the debounce time is no press', () => {
    const { clock, pins, types } = rig();
    pins.setLevel(GPIO, 0);
    clock.runFor(5);
    pins.setLevel(GPIO, null);
    clock.runFor(100);
    assert.deepEqual(types(), []);
  });
});

describe('Button: gestures', () => {
  it('a short press is press, release and click, with the held time', () => {
    const { clock, button, events } = rig();
    button.click(150);
    clock.runFor(1000);
    assert.deepEqual(events, [
      { type: 'press', at: 30 },
      { type: 'release', at: 180, durationMs: 150 },
      { type: 'click', at: 180, durationMs: 150 },
    ]);
  });

  it('held past longPressMs: long-press at 800 ms, and no click on release', () => {
    const { clock, button, events } = rig();
    button.click(1200);
    clock.runFor(2000);
    assert.deepEqual(events, [
      { type: 'press', at: 30 },
      { type: 'long-press', at: 830, durationMs: 800 },
      { type: 'release', at: 1230, durationMs: 1200 },
    ]);
  });

  it('two clicks close together are also a double-click; a third starts again', () => {
    const { clock, t0, button, types } = rig();
    // Releases at 130, 280 and 430 ms: the third is within 400 ms of both others.
    for (const t of [0, 150, 300]) clock.setTimeout(() => button.click(100), t);
    clock.runUntil(t0 + 2000);
    assert.deepEqual(types(), ['press', 'release', 'click', 'press', 'release', 'click', 'double-click', 'press', 'release', 'click']);
  });

  it('two clicks further apart than doubleClickMs are two clicks', () => {
    const { clock, t0, button, types } = rig({ doubleClickMs: 200 });
    for (const t of [0, 350]) clock.setTimeout(() => button.click(100), t);
    clock.runUntil(t0 + 2000);
    assert.equal(types().filter((t) => t === 'double-click').length, 0);
    assert.equal(types().filter((t) => t === 'click').length, 2);
  });

  it('configure changes long press; a bad value changes nothing', () => {
    const { clock, button, types, driver } = rig();
    driver.configure({ longPressMs: 100 });
    assert.throws(
      () => driver.configure({ longPressMs: 5000, debounceMs: 1.5 }),
      (e: Error) => e instanceof TypeError && /debounceMs/.test(e.message),
    );
    button.click(300);
    clock.runFor(1000);
    assert.deepEqual(types(), ['press', 'long-press', 'release']);
  });

  it('a button held at construction is pressed without events; its release is no click', () => {
    const clock = new VirtualClock();
    const pins = new SimPins();
    pins.setLevel(GPIO, 0);
    const events: string[] = [];
    const driver = new Button({ pin: GPIO, openDigital: (o) => new SimDigital(pins, o), time: clock, onEvent: (e) => events.push(e.type) });
    assert.deepEqual(driver.sample(), { pressed: true });
    pins.setLevel(GPIO, null);
    clock.runFor(100);
    assert.deepEqual(events, ['release']);
  });
});

describe('Button: options and lifecycle', () => {
  it('bad options throw TypeError/RangeError naming the option', () => {
    const clock = new VirtualClock();
    const pins = new SimPins();
    const openDigital = (o: DigitalOptions) => new SimDigital(pins, o);
    const make = (o: unknown) => () => new Button(o as ButtonOptions);
    const base = { pin: 1, openDigital, time: clock };
    assert.throws(make(undefined), TypeError);
    assert.throws(make({ ...base, pin: 300 }), (e: Error) => e instanceof RangeError && /pin/.test(e.message));
    assert.throws(make({ ...base, openDigital: undefined }), (e: Error) => e instanceof TypeError && /openDigital/.test(e.message));
    assert.throws(make({ ...base, activeLow: 'yes' }), (e: Error) => e instanceof TypeError && /activeLow/.test(e.message));
    assert.throws(make({ ...base, pull: 'sideways' }), (e: Error) => e instanceof RangeError && /pull/.test(e.message));
    assert.throws(make({ ...base, debounceMs: -1 }), (e: Error) => e instanceof RangeError && /debounceMs/.test(e.message));
    assert.throws(make({ ...base, longPressMs: 'long' }), (e: Error) => e instanceof TypeError && /longPressMs/.test(e.message));
    assert.throws(make({ ...base, doubleClickMs: 1e9 }), (e: Error) => e instanceof RangeError && /doubleClickMs/.test(e.message));
  });

  it('close() twice is harmless, cancels pending gestures, releases the pin; use after close throws closed', () => {
    const { clock, pins, button, driver, types } = rig();
    button.press();
    clock.runFor(100); // pressed; the long-press timer is running
    driver.close();
    driver.close();
    assert.equal(pins.watcherCount(GPIO), 0);
    clock.runFor(2000);
    button.release();
    clock.runFor(100);
    assert.deepEqual(types(), ['press']);
    assert.throws(
      () => driver.sample(),
      (e: unknown) => e instanceof IoError && e.code === 'closed',
    );
    assert.throws(
      () => driver.configure({}),
      (e: unknown) => e instanceof IoError && e.code === 'closed',
    );
  });
});
