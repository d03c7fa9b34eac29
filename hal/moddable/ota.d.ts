/**
 * Moddable's ESP32 `ota` module (build/devices/esp32/modules/ota: ota.js,
 * ota.c), declared by the project: `new OTA()` opens the next update
 * partition (esp_ota_begin), write appends (esp_ota_write), cancel drops it
 * (esp_ota_end), complete closes it and makes it the boot partition
 * (esp_ota_end + esp_ota_set_boot_partition). Each throws on an ESP-IDF error.
 */
declare module 'ota' {
  export default class OTA {
    write(data: ArrayBufferLike | Uint8Array): void;
    cancel(): void;
    complete(): void;
  }
}
