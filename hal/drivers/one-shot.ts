import type { TimerId, Timers } from '../contracts/time.js';

/**
 * One restartable timer on the injected Timers: starting it again replaces
 * the pending run, so a driver never holds two of the same (a debounce, a
 * hold, a pulse, the next note).
 */
export class OneShot {
  private id: TimerId | undefined;

  constructor(private readonly timers: Timers) {}

  /** Runs `callback` after `ms`, cancelling a run still pending. */
  start(ms: number, callback: () => void): void {
    this.cancel();
    this.id = this.timers.setTimeout(() => {
      this.id = undefined;
      callback();
    }, ms);
  }

  cancel(): void {
    if (this.id !== undefined) this.timers.clearTimeout(this.id);
    this.id = undefined;
  }
}
