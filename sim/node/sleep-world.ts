import type { WakeCause } from '../../hal/contracts/sleep.js';
import type { SimPins } from '../world/sim-pins.js';
import type { VirtualClock } from '../world/virtual-clock.js';

/**
 * The world while a node sleeps: the simulated clock moves on to the wake at
 * once (the world's own timers, a scenario's, still fire in order), and the
 * sleep ends early when the wake pin goes high. No wall-clock time passes.
 */
export function sleepWorld(clock: VirtualClock, pins: SimPins, ms: number, wakePin: number | undefined): { sleptMs: number; next: WakeCause } {
  const from = clock.now();
  const until = from + ms;
  let high = false;
  const off = wakePin === undefined ? undefined : pins.watch(wakePin, (level) => void (level === 1 && (high = true)));
  try {
    for (;;) {
      const due = clock.nextDue();
      if (due === undefined || due > until) {
        clock.runUntil(until);
        return { sleptMs: ms, next: 'timer' };
      }
      clock.runUntil(due);
      if (high) return { sleptMs: clock.now() - from, next: 'pin' };
    }
  } finally {
    off?.();
  }
}
