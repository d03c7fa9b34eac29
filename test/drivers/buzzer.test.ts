import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import type { PwmOptions } from '../../hal/contracts/io.js';
import { Buzzer, type BuzzerOptions } from '../../hal/drivers/buzzer/buzzer.js';
import { SimPwm } from '../../hal/sim/sim-pwm.js';
import { SimPins } from '../../sim/world/sim-pins.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const GPIO = 25;
const HALF = 512 / 1023; // 2^9 of a 10-bit PWM, as SimPwm reports it

function rig(settings: Partial<BuzzerOptions> = {}) {
  const clock = new VirtualClock();
  const pins = new SimPins();
  const opened: PwmOptions[] = [];
  const events: number[] = [];
  const openPwm = (o: PwmOptions) => {
    opened.push(o);
    return new SimPwm(pins, o);
  };
  const t0 = clock.now();
  const buzzer = new Buzzer({ pin: GPIO, openPwm, time: clock, onEvent: (e) => events.push(e.time - t0), ...settings });
  const state = () => pins.pwmState(GPIO);
  return { clock, pins, buzzer, opened, events, state };
}

describe('Buzzer', () => {
  it('declares a boolean playing channel and starts silent', () => {
    const { buzzer, state } = rig();
    assert.deepEqual(buzzer.channels, [{ name: 'playing', min: 0, max: 1, resolution: 1 }]);
    assert.deepEqual(state(), { hz: 2000, duty: 0 });
    assert.deepEqual(buzzer.sample(), { playing: false });
  });

  it('tone(hz, ms) plays a 50 % square wave for ms, then silence (duty 0) and done', () => {
    const { clock, buzzer, state, events } = rig();
    buzzer.tone(440, 250);
    assert.deepEqual(state(), { hz: 440, duty: HALF });
    assert.deepEqual(buzzer.sample(), { playing: true });
    clock.runFor(249);
    assert.equal(state()?.duty, HALF);
    clock.runFor(1);
    assert.deepEqual(state(), { hz: 440, duty: 0 });
    assert.deepEqual(buzzer.sample(), { playing: false });
    assert.deepEqual(events, [250]);
  });

  it('a new frequency reopens the PWM (its frequency is fixed at open); the same one does not', () => {
    const { clock, buzzer, opened } = rig();
    buzzer.tone(2000, 10);
    clock.runFor(10);
    assert.equal(opened.length, 1);
    buzzer.tone(1000, 10);
    assert.deepEqual(
      opened.map((o) => o.hz),
      [2000, 1000],
    );
    assert.equal(opened[1].resolution, 10);
  });

  it('beep(count, onMs, offMs) sounds the configured frequency in a pattern', () => {
    const { clock, buzzer, state, events } = rig({ hz: 3000 });
    const trace: number[] = [];
    buzzer.beep(3, 100, 50);
    for (let t = 0; t < 400; t += 25) {
      trace.push(state()?.duty === 0 ? 0 : 1);
      clock.runFor(25);
    }
    assert.equal(state()?.hz, 3000);
    assert.deepEqual(trace, [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1]);
    assert.deepEqual(events, [400]);
  });

  it('play() steps through notes, rests included', () => {
    const { clock, buzzer, state } = rig();
    buzzer.play([
      { hz: 262, ms: 100 },
      { hz: 0, ms: 100 },
      { hz: 330, ms: 100 },
    ]);
    assert.deepEqual(state(), { hz: 262, duty: HALF });
    clock.runFor(100);
    assert.equal(state()?.duty, 0);
    clock.runFor(100);
    assert.deepEqual(state(), { hz: 330, duty: HALF });
    clock.runFor(100);
    assert.equal(state()?.duty, 0);
  });

  it('tone(hz) without ms plays until stop(); stop() ends a pattern without done', () => {
    const { clock, buzzer, state, events } = rig();
    buzzer.tone(1000);
    clock.runFor(60_000);
    assert.equal(state()?.duty, HALF);
    buzzer.stop();
    assert.equal(state()?.duty, 0);
    buzzer.beep(5);
    clock.runFor(150);
    buzzer.stop();
    clock.runFor(5000);
    assert.equal(state()?.duty, 0);
    assert.deepEqual(events, []);
  });

  it('a new tone replaces the one playing', () => {
    const { clock, buzzer, state } = rig();
    buzzer.tone(500, 1000);
    clock.runFor(100);
    buzzer.tone(800, 100);
    clock.runFor(100);
    assert.deepEqual(state(), { hz: 800, duty: 0 });
    clock.runFor(2000);
    assert.deepEqual(state(), { hz: 800, duty: 0 }, 'the old tone left no timer behind');
  });

  it('bad options and arguments throw TypeError/RangeError naming them', () => {
    const clock = new VirtualClock();
    const openPwm = (o: PwmOptions) => new SimPwm(new SimPins(), o);
    const make = (o: unknown) => () => new Buzzer(o as BuzzerOptions);
    assert.throws(make({ pin: 1, time: clock }), (e: Error) => e instanceof TypeError && /openPwm/.test(e.message));
    assert.throws(make({ pin: 1, openPwm, time: clock, hz: 0 }), (e: Error) => e instanceof RangeError && /hz/.test(e.message));
    assert.throws(make({ pin: 1, openPwm, time: clock, resolution: 20 }), (e: Error) => e instanceof RangeError && /resolution/.test(e.message));
    const { buzzer } = rig();
    assert.throws(
      () => buzzer.tone(0, 100),
      (e: Error) => e instanceof RangeError && /hz/.test(e.message),
    );
    assert.throws(
      () => buzzer.tone(440, -1),
      (e: Error) => e instanceof RangeError && /ms/.test(e.message),
    );
    assert.throws(
      () => buzzer.beep(0),
      (e: Error) => e instanceof RangeError && /count/.test(e.message),
    );
    assert.throws(
      () => buzzer.play([]),
      (e: Error) => e instanceof RangeError && /notes/.test(e.message),
    );
    assert.throws(
      () =>
        buzzer.play([
          { hz: 440, ms: 10 },
          { hz: 440.5, ms: 10 },
        ]),
      (e: Error) => e instanceof TypeError && /notes\[1\]\.hz/.test(e.message),
    );
    assert.throws(
      () => buzzer.configure({ hz: -1 }),
      (e: Error) => e instanceof RangeError && /hz/.test(e.message),
    );
  });

  it('close() twice is harmless, silences and releases the PWM; use after close throws closed', () => {
    const { clock, buzzer, state, events } = rig();
    buzzer.beep(3);
    buzzer.close();
    buzzer.close();
    assert.equal(state()?.duty, 0);
    clock.runFor(5000);
    assert.equal(state()?.duty, 0);
    assert.deepEqual(events, []);
    const closed = (e: unknown) => e instanceof IoError && e.code === 'closed';
    assert.throws(() => buzzer.tone(440, 10), closed);
    assert.throws(() => buzzer.stop(), closed);
    assert.throws(() => buzzer.sample(), closed);
  });
});
