/**
 * Where a node writes a new firmware image and how it learns, at boot, what
 * the previous update came to. Shaped after ESP-IDF's app update API
 * (esp_ota_begin / esp_ota_write / esp_ota_end + esp_ota_set_boot_partition,
 * and with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE the running image's
 * ESP_OTA_IMG_PENDING_VERIFY state, ended by
 * esp_ota_mark_app_valid_cancel_rollback).
 *
 * Backends: hal/moddable/moddable-ota.ts (the device, over Moddable's `ota`
 * module) and sim/ota/ota-slots.ts (two slots with rollback, the simulator).
 */
export interface OtaWriter {
  /** Opens the next (not running) slot for an image of `size` bytes; throws when it cannot. */
  begin(size: number): void;
  /** Appends bytes to the open slot. */
  write(bytes: Uint8Array): void;
  /** Closes the slot and makes it the one booted next, pending verification; the caller reboots. */
  commit(): void;
  /** Drops what was written; the running image stays the boot image. Harmless when nothing is open. */
  abort(): void;
}

/** The boot side: what the image running now is, as the bootloader tells it. */
export interface OtaBoot {
  /**
   * True while the running image was booted for the first time after an
   * update and has not confirmed itself: a reset before confirm() boots the
   * previous image again.
   */
  readonly pendingVerify: boolean;
  /** Marks the running image valid (cancels the rollback). */
  confirm(): void;
  /**
   * The version of the image that did not confirm and was rolled back from
   * at this boot, or undefined (nothing rolled back, or the backend cannot
   * tell).
   */
  readonly rolledBackFrom: string | undefined;
}

export type Ota = OtaWriter & OtaBoot;
