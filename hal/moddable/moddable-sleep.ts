import { checkSleep, type Sleep, type WakeCause } from '../contracts/sleep.js';

/**
 * The deep-sleep half of the project's native module fazt/esp32
 * (firmware/device/native/fazt-esp32-xs.c): `deepSleep(ms)` =
 * esp_sleep_enable_timer_wakeup(ms × 1000 µs) + esp_deep_sleep_start,
 * `enablePinWakeup(pin)` = EXT0 on the pin, level high (the GPIO wakeup on
 * chips without EXT0, as the C3), `wakeCause()` = esp_sleep_get_wakeup_cause
 * as a WakeCause. The Moddable SDK has no ESP32 deep sleep (its `sleep`
 * module builds for gecko and nRF52 only). Passed in, so the mapping runs
 * (and is tested) on Node.
 */
export interface EspSleepModule {
  deepSleep(ms: number): void;
  enablePinWakeup(pin: number): void;
  wakeCause(): string;
}

const CAUSES: readonly string[] = ['power-on', 'timer', 'pin', 'other'] satisfies WakeCause[];

export function moddableSleep(m: EspSleepModule): Sleep {
  return {
    deepSleep(ms, wakePin) {
      checkSleep(ms, wakePin);
      // High, as the config's wakePin means.
      if (wakePin !== undefined) m.enablePinWakeup(wakePin);
      m.deepSleep(ms);
    },
    wakeCause() {
      const c = m.wakeCause();
      if (!CAUSES.includes(c)) throw new RangeError(`wakeCause: the native module answered '${c}', not one of ${CAUSES.join(', ')}`);
      return c as WakeCause;
    },
  };
}
