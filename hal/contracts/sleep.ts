/**
 * Deep sleep, as a battery node uses it (issue 16). On an ESP32 deep sleep
 * powers the CPUs and RAM off: the chip boots again when a wake source fires
 * (the RTC timer, or an RTC-capable pin), so `deepSleep` never returns there
 * and everything not persisted is gone. `wakeCause` tells the new boot why it
 * started (ESP-IDF's esp_sleep_get_wakeup_cause).
 *
 * Backends: hal/moddable/moddable-sleep.ts (the device), hal/sim/sim-sleep.ts
 * (the simulator re-boots the node after advancing its clock; sleeping costs
 * no wall-clock time).
 */
export type WakeCause = 'power-on' | 'timer' | 'pin' | 'other';

export interface Sleep {
  /**
   * Sleeps for `ms` (and, given `wakePin`, until that pin goes high, whichever
   * comes first). On hardware it does not return; the simulator returns and
   * the node's code must do nothing after it.
   */
  deepSleep(ms: number, wakePin?: number): void;
  /** Why this boot happened. */
  wakeCause(): WakeCause;
}

/** The longest sleep a node asks for: a day (ESP-IDF takes µs in 64 bits; this keeps config mistakes visible). */
const MAX_SLEEP_MS = 86_400_000;

export function checkSleep(ms: unknown, wakePin?: unknown): void {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > MAX_SLEEP_MS)
    throw new RangeError(`deepSleep ms must be an integer in 1..${MAX_SLEEP_MS}, got ${String(ms)}`);
  if (wakePin !== undefined && !(typeof wakePin === 'number' && Number.isInteger(wakePin) && wakePin >= 0 && wakePin <= 63))
    throw new RangeError(`deepSleep wakePin must be a GPIO number 0..63, got ${String(wakePin)}`);
}
