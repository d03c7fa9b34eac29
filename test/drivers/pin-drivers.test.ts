import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IoError } from '../../hal/contracts/errors.js';
import type { Digital, DigitalOptions, PWM, PwmOptions } from '../../hal/contracts/io.js';
import { DRIVERS } from '../../hal/drivers/registry.js';
import { SimDigital } from '../../hal/sim/sim-digital.js';
import { SimPwm } from '../../hal/sim/sim-pwm.js';
import { SimPins } from '../../sim/world/sim-pins.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

/**
 * The lifecycle every pin driver shares (hal/drivers/pin-driver.ts), checked
 * for each one in the registry: the common options, one boolean channel,
 * close. What each driver does with its pin is in its own test.
 */
const GPIO = 4;
const closed = (e: unknown) => e instanceof IoError && e.code === 'closed';

function world() {
  const clock = new VirtualClock();
  const pins = new SimPins();
  const opened: { close(): void }[] = [];
  let closes = 0;
  const track = <T extends { close(): void }>(io: T): T => {
    opened.push(io);
    const close = io.close.bind(io);
    io.close = () => {
      closes++;
      close();
    };
    return io;
  };
  const openDigital = (o: DigitalOptions): Digital => track(new SimDigital(pins, o));
  const openPwm = (o: PwmOptions): PWM => track(new SimPwm(pins, o));
  return { clock, pins, opened, openDigital, openPwm, closes: () => closes, base: { pin: GPIO, time: clock, openDigital, openPwm } };
}

const PIN_DRIVERS = Object.entries(DRIVERS).flatMap(([name, entry]) => (entry.kind === 'pin' ? [{ name, create: entry.create }] : []));

describe('pin drivers: the shared lifecycle', () => {
  it('the registry has the four pin drivers', () => {
    assert.deepEqual(PIN_DRIVERS.map((d) => d.name).sort(), ['button', 'buzzer', 'digital-output', 'pir']);
  });

  for (const { name, create } of PIN_DRIVERS) {
    describe(name, () => {
      it('declares one boolean channel and samples it as a boolean', () => {
        const { base } = world();
        const d = create(base);
        assert.equal(d.channels.length, 1);
        const [c] = d.channels;
        assert.deepEqual({ min: c.min, max: c.max, resolution: c.resolution }, { min: 0, max: 1, resolution: 1 });
        assert.equal(typeof d.sample()[c.name], 'boolean');
      });

      it('the common options are checked, naming the option, before the pin is opened', () => {
        const { clock, base, opened } = world();
        const make = (o: unknown) => () => create(o as Parameters<typeof create>[0]);
        assert.throws(make(undefined), (e: Error) => e instanceof TypeError && /options/.test(e.message));
        assert.throws(make({ ...base, pin: 300 }), (e: Error) => e instanceof RangeError && /pin/.test(e.message));
        assert.throws(make({ ...base, pin: 1.5 }), (e: Error) => e instanceof TypeError && /pin/.test(e.message));
        assert.throws(
          make({ ...base, openDigital: undefined, openPwm: undefined }),
          (e: Error) => e instanceof TypeError && /open(Digital|Pwm)/.test(e.message),
        );
        assert.throws(make({ ...base, time: undefined }), (e: Error) => e instanceof TypeError && /time/.test(e.message));
        assert.throws(make({ ...base, time: { now: () => clock.now() } }), (e: Error) => e instanceof TypeError && /time\.setTimeout/.test(e.message));
        assert.throws(make({ ...base, onEvent: 'x' }), (e: Error) => e instanceof TypeError && /onEvent/.test(e.message));
        assert.equal(opened.length, 0);
      });

      it('configure checks its argument: not an object is a TypeError naming options', () => {
        const d = create(world().base);
        assert.throws(
          () => d.configure(null as unknown as object),
          (e: Error) => e instanceof TypeError && /options/.test(e.message),
        );
      });

      it('close() releases the pin once, twice is harmless; sample and configure after close throw closed', () => {
        const w = world();
        const d = create(w.base);
        assert.equal(w.opened.length, 1);
        d.close();
        d.close();
        assert.equal(w.closes(), 1);
        assert.throws(() => d.sample(), closed);
        assert.throws(() => d.configure({}), closed);
      });
    });
  }

  for (const { name, create } of PIN_DRIVERS.filter((d) => d.name !== 'buzzer')) {
    it(`${name}: a pin whose first access fails is released, and the error goes on`, () => {
      const w = world();
      const broken = new Error('line broken');
      const openDigital = (o: DigitalOptions): Digital => {
        const d = w.openDigital(o);
        d.read = () => {
          throw broken;
        };
        d.write = () => {
          throw broken;
        };
        return d;
      };
      assert.throws(
        () => create({ ...w.base, openDigital }),
        (e) => e === broken,
      );
      assert.equal(w.closes(), 1);
    });
  }

  it('buzzer: a PWM whose first write fails is released, and the error goes on', () => {
    const w = world();
    const broken = new Error('channel broken');
    const openPwm = (o: PwmOptions): PWM => {
      const p = w.openPwm(o);
      p.write = () => {
        throw broken;
      };
      return p;
    };
    const buzzer = PIN_DRIVERS.find((d) => d.name === 'buzzer') as (typeof PIN_DRIVERS)[number];
    assert.throws(
      () => buzzer.create({ ...w.base, openPwm }),
      (e) => e === broken,
    );
    assert.equal(w.closes(), 1);
  });
});
