import { checkSleep, type Sleep, type WakeCause } from '../contracts/sleep.js';

/**
 * The ESP32 deep-sleep calls a Moddable build needs: ESP-IDF's
 * esp_sleep_enable_timer_wakeup + esp_deep_sleep_start (`deep`),
 * esp_sleep_enable_ext0_wakeup (`enableExt0Wakeup`) and
 * esp_sleep_get_wakeup_cause (`getWakeupCause`). The Moddable SDK's own
 * `sleep` module (modules/base/sleep) is built for gecko and nRF52 only and
 * fails the build on esp32; this is the shape of the community module
 * `spice/system/sleep` (MKGaru/moddable-spice), which wraps exactly these
 * calls. Passed in, so the mapping runs (and is tested) on Node.
 */
export interface EspSleepModule {
  deep(ms: number): void;
  enableExt0Wakeup(pin: number, level: 0 | 1): void;
  getWakeupCause(): number;
}

/** esp_sleep_wakeup_cause_t (ESP-IDF esp_sleep.h) → WakeCause. */
function cause(n: number): WakeCause {
  if (n === 0) return 'power-on'; // ESP_SLEEP_WAKEUP_UNDEFINED: not a wake from sleep (reset, power-on)
  if (n === 4) return 'timer'; // ESP_SLEEP_WAKEUP_TIMER
  if (n === 2 || n === 3 || n === 7) return 'pin'; // EXT0, EXT1, GPIO
  return 'other'; // touchpad, ULP, UART, ...
}

export function moddableSleep(m: EspSleepModule): Sleep {
  return {
    deepSleep(ms, wakePin) {
      checkSleep(ms, wakePin);
      // EXT0 wakes on one RTC GPIO's level: high, as the config's wakePin means.
      if (wakePin !== undefined) m.enableExt0Wakeup(wakePin, 1);
      m.deep(ms);
    },
    wakeCause: () => cause(m.getWakeupCause()),
  };
}
