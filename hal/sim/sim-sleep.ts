import { checkSleep, type Sleep, type WakeCause } from '../contracts/sleep.js';

/** A deep sleep the firmware asked for, which the simulator carries out. */
export interface SleepRequest {
  ms: number;
  wakePin?: number;
}

/**
 * Deep sleep in the simulator. `deepSleep` only records the request: the
 * simulator (sim/node/sleeping-node.ts) stops the node's firmware, drops
 * its RAM (the NodeApp), advances the simulated clock and boots it again
 * with `cause` set, as an ESP32 waking from deep sleep. No timer runs and no
 * wall-clock time passes while it sleeps.
 */
export class SimSleep implements Sleep {
  private asked: SleepRequest | undefined;

  constructor(private cause: WakeCause = 'power-on') {}

  deepSleep(ms: number, wakePin?: number): void {
    checkSleep(ms, wakePin);
    if (this.asked) throw new Error('deepSleep called twice: nothing runs after a deep sleep');
    this.asked = wakePin === undefined ? { ms } : { ms, wakePin };
  }

  wakeCause(): WakeCause {
    return this.cause;
  }

  /** The sleep asked for since the last boot (undefined: still awake). */
  get requested(): SleepRequest | undefined {
    return this.asked;
  }

  /** The simulator boots the node again: why, and a fresh request slot. */
  boot(cause: WakeCause): void {
    this.cause = cause;
    this.asked = undefined;
  }
}
