import type { HalTime, TimerId } from '../contracts/time.js';

/**
 * HalTime on a Moddable device: Moddable's `timer` module for timeouts and
 * blocking delays, the platform clock for now(). The timer module is passed
 * in (device-main.ts imports it), so this mapping runs on Node too.
 *
 * Timer.set hands back the timer object, not a number, so ids are issued
 * here and mapped to the live timers. Moddable's timers take whole
 * milliseconds: fractions round up, so a chip's 8.3 ms conversion time is
 * never cut short.
 */
export interface ModdableTimerModule<H> {
  set(callback: () => void, interval: number): H;
  clear(timer: H): void;
  delay(milliseconds: number): void;
}

function wholeMs(name: string, ms: number): number {
  if (typeof ms !== 'number' || Number.isNaN(ms)) throw new TypeError(`${name} must be a number of milliseconds, got ${String(ms)}`);
  return ms <= 0 ? 0 : Math.ceil(ms);
}

export function moddableTime<H>(timer: ModdableTimerModule<H>, clock: () => number = () => Date.now()): HalTime {
  const live = new Map<TimerId, H>();
  let nextId = 1;
  return {
    now: () => clock(),
    delay(ms) {
      const whole = wholeMs('ms', ms);
      if (whole > 0) timer.delay(whole);
    },
    setTimeout(callback, ms) {
      if (typeof callback !== 'function') throw new TypeError('callback must be a function');
      const id = nextId++;
      live.set(
        id,
        timer.set(
          () => {
            if (!live.delete(id)) return;
            callback();
          },
          wholeMs('ms', ms),
        ),
      );
      return id;
    },
    clearTimeout(id) {
      const t = live.get(id);
      if (t === undefined) return;
      live.delete(id);
      timer.clear(t);
    },
  };
}
