/**
 * AHT20 command map and timing. Section numbers refer to Aosong's "AHT20
 * Technical Manual"; the measuring sequence is §7.4.
 */
export const AHT20 = {
  /** Fixed 7-bit I2C address. */
  address: 0x38,
  /** Initialise (load calibration) when the status's calibration bit is clear: 0xBE 0x08 0x00 (§7.4 step 1). */
  init: [0xbe, 0x08, 0x00],
  /** Trigger a measurement: 0xAC 0x33 0x00 (§7.4 step 2). */
  trigger: [0xac, 0x33, 0x00],
  /** Soft reset (the datasheet's command list). */
  softReset: 0xba,
} as const;

/** Status byte, the first byte of every read (§7.4). */
export const AHT20_STATUS = {
  /** Bit 7: measuring. */
  busy: 0x80,
  /** Bit 3: calibration loaded. */
  calibrated: 0x08,
} as const;

/** Wait after power-on before the first command (§7.4 step 1). */
export const AHT20_POWER_ON_MS = 40;
/** Wait after the init command (§7.4 step 1). */
export const AHT20_INIT_MS = 10;
/** Wait after triggering before reading (§7.4 step 3). */
export const AHT20_MEASURE_MS = 80;
/** Soft reset takes less than 20 ms (the datasheet's soft-reset note). */
export const AHT20_RESET_MS = 20;

/** A measurement read: status, 20-bit RH, 20-bit T, CRC over the first six (§7.4 steps 3–4). */
export const AHT20_FRAME_BYTES = 7;
