import type { TimerId, Timers } from '../../hal/contracts/time.js';

/** The Timers contract on Node's own timers (a virtual clock's stand in for them in tests). */
export function systemTimers(): Timers {
  const live = new Map<TimerId, NodeJS.Timeout>();
  let next = 1;
  return {
    setTimeout(callback, ms) {
      const id = next++;
      live.set(
        id,
        setTimeout(() => {
          live.delete(id);
          callback();
        }, ms),
      );
      return id;
    },
    clearTimeout(id) {
      clearTimeout(live.get(id));
      live.delete(id);
    },
  };
}
