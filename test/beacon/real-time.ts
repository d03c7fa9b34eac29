import type { HalTime, TimerId } from '../../hal/contracts/time.js';

/**
 * Wall-clock time for tests on real sockets: Date.now and Node's timers
 * behind the HalTime contract (numeric ids). `dispose()` clears whatever is
 * still scheduled, so a failing test leaves no timer running.
 */
export function realTime(): HalTime & { dispose(): void } {
  const timers = new Map<TimerId, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    delay: (ms) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        // busy wait: delays in these tests are a few milliseconds at most
      }
    },
    setTimeout: (callback, ms) => {
      const id = next++;
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          callback();
        }, ms),
      );
      return id;
    },
    clearTimeout: (id) => {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
    dispose: () => {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
