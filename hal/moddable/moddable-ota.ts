import type { Ota } from '../contracts/ota.js';

/**
 * The shape of Moddable's ESP32 `ota` module (Moddable SDK
 * build/devices/esp32/modules/ota/ota.js and ota.c, checked at commit
 * 48ee02d8 of Moddable-OpenSource/moddable): `new OTA()` calls
 * esp_ota_get_next_update_partition(NULL) and esp_ota_begin with
 * OTA_WITH_SEQUENTIAL_WRITES (no size: the slot is erased as it is
 * written); write(buffer) calls esp_ota_write; cancel() calls esp_ota_end
 * (the handle is closed, the boot partition unchanged); complete() calls
 * esp_ota_end and esp_ota_set_boot_partition. Each throws on an ESP-IDF
 * error. Passed in so this mapping runs on Node against a stand-in.
 */
export interface ModdableOtaModule {
  new (): { write(data: ArrayBufferLike | Uint8Array): void; cancel(): void; complete(): void };
}

/**
 * The rollback half, which Moddable does not expose (nothing in the SDK, same
 * commit, calls esp_ota_mark_app_valid_cancel_rollback,
 * esp_ota_get_state_partition or esp_ota_get_last_invalid_partition): the
 * project's native module fazt/esp32 (firmware/device/native/), whose
 * build sets CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE and an OTA partition
 * table (firmware/sdkconfig/):
 *  - pendingVerify: esp_ota_get_state_partition(esp_ota_get_running_partition())
 *    == ESP_OTA_IMG_PENDING_VERIFY;
 *  - markValid: esp_ota_mark_app_valid_cancel_rollback();
 *  - rolledBackFrom: esp_ota_get_last_invalid_partition() and that partition's
 *    esp_app_desc_t version (esp_ota_get_partition_description).
 */
export interface NativeAppState {
  pendingVerify(): boolean;
  markValid(): void;
  rolledBackFrom(): string | undefined;
}

/**
 * The OTA contract on a Moddable ESP32. Without a NativeAppState the image
 * is never pending verification (the bootloader keeps no rollback) and a
 * rollback cannot be told: an update still refuses a bad image before
 * complete(), but an image that crashes after it is not undone.
 */
export function moddableOta(OTA: ModdableOtaModule, state?: NativeAppState): Ota {
  let open: { ota: InstanceType<ModdableOtaModule>; size: number; written: number } | undefined;
  return {
    begin(size) {
      if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`size must be a whole number of bytes ≥ 1, got ${size}`);
      if (open) throw new Error('an update is already being written');
      open = { ota: new OTA(), size, written: 0 };
    },
    write(bytes) {
      if (!open) throw new Error('write before begin');
      if (open.written + bytes.length > open.size) throw new RangeError(`the image would exceed the ${open.size} bytes begun with`);
      open.ota.write(bytes);
      open.written += bytes.length;
    },
    commit() {
      if (!open) throw new Error('commit before begin');
      if (open.written !== open.size) throw new RangeError(`${open.written} of ${open.size} bytes written`);
      const o = open;
      open = undefined;
      o.ota.complete();
    },
    abort() {
      const o = open;
      open = undefined;
      o?.ota.cancel();
    },
    get pendingVerify() {
      return state ? state.pendingVerify() : false;
    },
    confirm() {
      state?.markValid();
    },
    get rolledBackFrom() {
      return state?.rolledBackFrom();
    },
  };
}
