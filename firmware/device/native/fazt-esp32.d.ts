/**
 * fazt/esp32 (fazt-esp32.js): ESP-IDF's app rollback state, restart and deep
 * sleep as host functions, present only in a Moddable build for esp32 that
 * includes this folder's manifest. An ESP-IDF error throws an Error naming
 * the call; a bad argument a TypeError or RangeError naming it.
 */
declare module 'fazt/esp32' {
  /** Whether the running image is ESP_OTA_IMG_PENDING_VERIFY (first boot after an update, not yet marked valid). */
  export function pendingVerify(): boolean;
  /** esp_ota_mark_app_valid_cancel_rollback(). */
  export function markValid(): void;
  /** The version of the last invalid (rolled back) image, its partition label when it has none, or undefined. */
  export function rolledBackFrom(): string | undefined;
  /** esp_restart(): does not return. */
  export function restart(): void;
  /** Wake from deep sleep when GPIO `pin` (0..63) goes high. */
  export function enablePinWakeup(pin: number): void;
  /** Deep sleep for `ms` (1..86400000) or until a pin wake: does not return. */
  export function deepSleep(ms: number): void;
  /** Why this boot happened (esp_sleep_get_wakeup_cause). */
  export function wakeCause(): 'power-on' | 'timer' | 'pin' | 'other';
}
