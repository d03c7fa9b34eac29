import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import type { DigitalOptions } from '../../hal/contracts/io.js';
import { DigitalOutput, type DigitalOutputOptions } from '../../hal/drivers/digital-output/digital-output.js';
import { SimDigital } from '../../hal/sim/sim-digital.js';
import { SimPins } from '../../sim/world/sim-pins.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const GPIO = 26;

function rig(settings: Partial<DigitalOutputOptions> = {}) {
  const clock = new VirtualClock();
  const pins = new SimPins();
  const events: string[] = [];
  const opened: DigitalOptions[] = [];
  const openDigital = (o: DigitalOptions) => {
    opened.push(o);
    return new SimDigital(pins, o);
  };
  const out = new DigitalOutput({ pin: GPIO, openDigital, time: clock, onEvent: (e) => events.push(e.type), ...settings });
  return { clock, pins, out, events, opened };
}

describe('DigitalOutput', () => {
  it('declares a boolean on channel', () => {
    assert.deepEqual(rig().out.channels, [{ name: 'on', min: 0, max: 1, resolution: 1 }]);
  });

  it('drives the pin off at construction, as a push-pull output', () => {
    const { pins, out, opened } = rig();
    assert.equal(opened[0].mode, 'output');
    assert.equal(pins.driven(GPIO), 0);
    assert.deepEqual(out.sample(), { on: false });
  });

  it('initial: true drives it on from the start', () => {
    const { pins, out } = rig({ initial: true });
    assert.equal(pins.driven(GPIO), 1);
    assert.equal(out.isOn, true);
  });

  it('on, off and toggle drive the level and report changes only', () => {
    const { pins, out, events } = rig();
    out.on();
    assert.equal(pins.driven(GPIO), 1);
    out.on();
    out.toggle();
    assert.equal(pins.driven(GPIO), 0);
    out.toggle();
    assert.equal(pins.driven(GPIO), 1);
    out.off();
    assert.deepEqual(events, ['on', 'off', 'on', 'off']);
  });

  it('active-low: on drives 0, off drives 1 (most relay boards)', () => {
    const { pins, out } = rig({ activeLow: true });
    assert.equal(pins.driven(GPIO), 1, 'off at start is a high line');
    out.on();
    assert.equal(pins.driven(GPIO), 0);
  });

  it('configuring activeLow keeps the on/off state and flips the level', () => {
    const { pins, out } = rig({ initial: true });
    out.configure({ activeLow: true });
    assert.equal(out.isOn, true);
    assert.equal(pins.driven(GPIO), 0);
  });

  it('openDrain opens an open-drain output', () => {
    assert.equal(rig({ openDrain: true }).opened[0].mode, 'output-opendrain');
  });

  it('pulse(ms) is on now and off after ms on the clock; set() cancels it', () => {
    const { clock, pins, out, events } = rig();
    out.pulse(500);
    assert.equal(pins.driven(GPIO), 1);
    clock.runFor(499);
    assert.equal(pins.driven(GPIO), 1);
    clock.runFor(1);
    assert.equal(pins.driven(GPIO), 0);
    out.pulse(500);
    out.set(true);
    clock.runFor(1000);
    assert.equal(pins.driven(GPIO), 1);
    assert.deepEqual(events, ['on', 'off', 'on']);
  });

  it('bad options and arguments throw TypeError/RangeError naming them', () => {
    const clock = new VirtualClock();
    const openDigital = (o: DigitalOptions) => new SimDigital(new SimPins(), o);
    const make = (o: unknown) => () => new DigitalOutput(o as DigitalOutputOptions);
    assert.throws(make(null), TypeError);
    assert.throws(make({ pin: 2.5, openDigital, time: clock }), (e: Error) => e instanceof TypeError && /pin/.test(e.message));
    assert.throws(make({ pin: 2, openDigital, time: clock, initial: 1 }), (e: Error) => e instanceof TypeError && /initial/.test(e.message));
    assert.throws(make({ pin: 2, openDigital, time: clock, activeLow: 'no' }), (e: Error) => e instanceof TypeError && /activeLow/.test(e.message));
    assert.throws(make({ pin: 2, openDigital, time: null }), (e: Error) => e instanceof TypeError && /time/.test(e.message));
    const { out } = rig();
    assert.throws(
      () => out.pulse(0),
      (e: Error) => e instanceof RangeError && /ms/.test(e.message),
    );
    assert.throws(
      () => out.set(1 as unknown as boolean),
      (e: Error) => e instanceof TypeError && /on/.test(e.message),
    );
  });

  it('close() twice is harmless and cancels a pulse; use after close throws closed', () => {
    const { clock, pins, out } = rig();
    out.pulse(100);
    out.close();
    out.close();
    clock.runFor(1000);
    assert.equal(pins.driven(GPIO), 1, 'the pin keeps its last level; the pulse did not fire');
    const closed = (e: unknown) => e instanceof IoError && e.code === 'closed';
    assert.throws(() => out.on(), closed);
    assert.throws(() => out.sample(), closed);
    assert.throws(() => out.isOn, closed);
  });
});
