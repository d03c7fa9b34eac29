import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import type { DigitalOptions } from '../../hal/contracts/io.js';
import { SimDigital } from '../../hal/sim/sim-digital.js';
import { SimPwm } from '../../hal/sim/sim-pwm.js';
import { SimPins } from '../../sim/world/sim-pins.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const closed = (e: unknown) => e instanceof IoError && e.code === 'closed';

function input(pins: SimPins, options: Partial<DigitalOptions> = {}): SimDigital {
  return new SimDigital(pins, { pin: 4, mode: 'input', ...options } as DigitalOptions);
}

describe('SimDigital: inputs', () => {
  it('reads the level the outside world drives', () => {
    const pins = new SimPins();
    const d = input(pins);
    pins.setLevel(4, 1);
    assert.equal(d.read(), 1);
    pins.setLevel(4, 0);
    assert.equal(d.read(), 0);
  });

  it('a floating line reads the pull: 1 with pull-up, 0 with pull-down, 0 with none', () => {
    const pins = new SimPins();
    assert.equal(pins.level(4), null);
    assert.equal(input(pins, { mode: 'input-pullup' }).read(), 1);
    assert.equal(input(pins, { mode: 'input-pulldown' }).read(), 0);
    assert.equal(input(pins, { mode: 'input' }).read(), 0);
  });

  it('a driven line overrides the pull', () => {
    const pins = new SimPins();
    const up = input(pins, { mode: 'input-pullup' });
    pins.setLevel(4, 0);
    assert.equal(up.read(), 0);
    pins.setLevel(4, null);
    assert.equal(up.read(), 1);
  });

  it('write() on an input throws TypeError', () => {
    assert.throws(() => input(new SimPins()).write(1), TypeError);
  });
});

describe('SimDigital: edges', () => {
  function watched(edge: 'rising' | 'falling' | 'both', mode: DigitalOptions['mode'] = 'input') {
    const pins = new SimPins();
    const seen: number[] = [];
    const d = new SimDigital(pins, { pin: 4, mode, edge, onReadable: () => seen.push(d.read()) });
    return { pins, seen, d };
  }

  it('rising calls onReadable on 0 → 1 only, with read() giving the new level', () => {
    const { pins, seen } = watched('rising');
    pins.setLevel(4, 1);
    pins.setLevel(4, 0);
    pins.setLevel(4, 1);
    assert.deepEqual(seen, [1, 1]);
  });

  it('falling calls onReadable on 1 → 0 only', () => {
    const { pins, seen } = watched('falling');
    pins.setLevel(4, 1);
    pins.setLevel(4, 0);
    pins.setLevel(4, 1);
    pins.setLevel(4, 0);
    assert.deepEqual(seen, [0, 0]);
  });

  it('both calls onReadable on every change, and not for a level set again', () => {
    const { pins, seen } = watched('both');
    pins.setLevel(4, 1);
    pins.setLevel(4, 1);
    pins.setLevel(4, 0);
    assert.deepEqual(seen, [1, 0]);
  });

  it('edges follow the effective level: releasing a pulled-up line is a rising edge', () => {
    const { pins, seen } = watched('both', 'input-pullup');
    pins.setLevel(4, 0);
    pins.setLevel(4, null);
    assert.deepEqual(seen, [0, 1]);
  });

  it('no edge when the line goes from 1 to floating under a pull-up', () => {
    const { pins, seen } = watched('both', 'input-pullup');
    pins.setLevel(4, 1);
    pins.setLevel(4, null);
    assert.deepEqual(seen, []);
  });

  it('close() unsubscribes: no more calls, no watcher left', () => {
    const { pins, seen, d } = watched('both');
    assert.equal(pins.watcherCount(4), 1);
    d.close();
    assert.equal(pins.watcherCount(4), 0);
    pins.setLevel(4, 1);
    assert.deepEqual(seen, []);
  });
});

describe('SimDigital: outputs', () => {
  it('write() drives the pin and read() gives it back', () => {
    const pins = new SimPins();
    const d = new SimDigital(pins, { pin: 2, mode: 'output' });
    assert.equal(pins.driven(2), null);
    d.write(1);
    assert.equal(pins.driven(2), 1);
    assert.equal(d.read(), 1);
    d.write(0);
    assert.equal(pins.driven(2), 0);
  });

  it('open-drain: 0 pulls low; 1 releases, reading the outside level or 1 when floating', () => {
    const pins = new SimPins();
    const d = new SimDigital(pins, { pin: 2, mode: 'output-opendrain' });
    d.write(0);
    assert.equal(d.read(), 0);
    d.write(1);
    assert.equal(d.read(), 1);
    pins.setLevel(2, 0); // another device holds the line low
    assert.equal(d.read(), 0);
  });

  it('write() takes only 0 or 1', () => {
    const d = new SimDigital(new SimPins(), { pin: 2, mode: 'output' });
    assert.throws(() => d.write(2 as 0), /value/);
    assert.throws(() => d.write('1' as unknown as 0), TypeError);
  });
});

describe('SimDigital: options and lifecycle', () => {
  it('bad options throw TypeError/RangeError naming the option', () => {
    const pins = new SimPins();
    const make = (o: unknown) => () => new SimDigital(pins, o as DigitalOptions);
    assert.throws(make(null), TypeError);
    assert.throws(make({ pin: 1.5, mode: 'input' }), (e: Error) => e instanceof TypeError && /pin/.test(e.message));
    assert.throws(make({ pin: -1, mode: 'input' }), (e: Error) => e instanceof RangeError && /pin/.test(e.message));
    assert.throws(make({ pin: 1, mode: 'analog' }), (e: Error) => e instanceof RangeError && /mode/.test(e.message));
    assert.throws(make({ pin: 1, mode: 'input', edge: 'up', onReadable: () => {} }), (e: Error) => e instanceof RangeError && /edge/.test(e.message));
    assert.throws(make({ pin: 1, mode: 'input', onReadable: () => {} }), /edge/);
    assert.throws(make({ pin: 1, mode: 'input', edge: 'both' }), (e: Error) => e instanceof TypeError && /onReadable/.test(e.message));
    assert.throws(make({ pin: 1, mode: 'input', edge: 'both', onReadable: 5 }), (e: Error) => e instanceof TypeError && /onReadable/.test(e.message));
    assert.throws(make({ pin: 1, mode: 'output', edge: 'both', onReadable: () => {} }), (e: Error) => e instanceof RangeError && /onReadable/.test(e.message));
  });

  it('close() twice is harmless; read and write after close throw IoError closed', () => {
    const d = new SimDigital(new SimPins(), { pin: 2, mode: 'output' });
    d.close();
    d.close();
    assert.throws(() => d.read(), closed);
    assert.throws(() => d.write(1), closed);
  });
});

describe('SimPins: the outside world', () => {
  it('setLevel notifies watchers synchronously, on change only', () => {
    const pins = new SimPins();
    const seen: (number | null)[] = [];
    pins.watch(7, (l) => seen.push(l));
    pins.setLevel(7, 1);
    pins.setLevel(7, 1);
    pins.setLevel(7, null);
    assert.deepEqual(seen, [1, null]);
  });

  it('bounce() chatters on the clock and settles at the final level', () => {
    const pins = new SimPins();
    const clock = new VirtualClock();
    pins.setLevel(7, 1);
    const seen: (number | null)[] = [];
    pins.watch(7, (l) => seen.push(l));
    pins.bounce(7, 0, 5, 2, clock);
    assert.deepEqual(seen, [0], 'the first change is immediate');
    clock.runFor(4); // changes at +2 and +4 ms
    assert.deepEqual(seen, [0, 1, 0]);
    clock.runFor(10);
    assert.deepEqual(seen, [0, 1, 0, 1, 0]);
    assert.equal(pins.level(7), 0);
  });

  it('setLevel cancels chatter still pending', () => {
    const pins = new SimPins();
    const clock = new VirtualClock();
    pins.bounce(7, 0, 5, 2, clock);
    pins.setLevel(7, 1);
    clock.runFor(20);
    assert.equal(pins.level(7), 1);
  });
});

describe('SimPwm', () => {
  it('reports frequency and duty as a fraction; opening and closing report duty 0', () => {
    const pins = new SimPins();
    const pwm = new SimPwm(pins, { pin: 5, hz: 1000 });
    assert.equal(pwm.resolution, 10);
    assert.deepEqual(pins.pwmState(5), { hz: 1000, duty: 0 });
    pwm.write(1023);
    assert.deepEqual(pins.pwmState(5), { hz: 1000, duty: 1 });
    pwm.write(341);
    assert.equal(pins.pwmState(5)?.duty, 341 / 1023);
    pwm.close();
    assert.deepEqual(pins.pwmState(5), { hz: 1000, duty: 0 });
  });

  it('write() is range-checked against the resolution', () => {
    const pwm = new SimPwm(new SimPins(), { pin: 5, hz: 50, resolution: 8 });
    pwm.write(255);
    assert.throws(
      () => pwm.write(256),
      (e: Error) => e instanceof RangeError && /duty/.test(e.message),
    );
    assert.throws(() => pwm.write(-1), RangeError);
    assert.throws(() => pwm.write(1.5), TypeError);
  });

  it('bad options name the option', () => {
    const pins = new SimPins();
    assert.throws(
      () => new SimPwm(pins, { pin: 5, hz: 0 }),
      (e: Error) => e instanceof RangeError && /hz/.test(e.message),
    );
    assert.throws(
      () => new SimPwm(pins, { pin: 5, hz: 1000, resolution: 0 }),
      (e: Error) => e instanceof RangeError && /resolution/.test(e.message),
    );
    assert.throws(
      () => new SimPwm(pins, { pin: 'x' as unknown as number, hz: 1000 }),
      (e: Error) => e instanceof TypeError && /pin/.test(e.message),
    );
  });

  it('close() twice is harmless; write after close throws IoError closed', () => {
    const pwm = new SimPwm(new SimPins(), { pin: 5, hz: 1000 });
    pwm.close();
    pwm.close();
    assert.throws(() => pwm.write(1), closed);
  });
});
