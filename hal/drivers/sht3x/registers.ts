/**
 * SHT3x (SHT30/31/35) command map. Commands are 16-bit, sent MSB first.
 * Section and table numbers refer to Sensirion's "Datasheet SHT3x-DIS".
 */
export const SHT3X = {
  /** 7-bit I2C addresses: ADDR pin low / high (§3). */
  addressLow: 0x44,
  addressHigh: 0x45,
  /** Single shot, clock stretching disabled (§4.3). */
  measureHigh: 0x2400,
  measureMedium: 0x240b,
  measureLow: 0x2416,
  /** Single shot, clock stretching enabled (§4.3); the driver does not use them. */
  measureHighStretch: 0x2c06,
  measureMediumStretch: 0x2c0d,
  measureLowStretch: 0x2c10,
  /**
   * Read the 32-bit serial number as two CRC-protected words, with / without
   * clock stretching (command list of later datasheet revisions).
   */
  serialStretch: 0x3780,
  serial: 0x3682,
  /** Soft reset (§4.9). */
  softReset: 0x30a2,
  /** Heater on / off (§4.10). */
  heaterOn: 0x306d,
  heaterOff: 0x3066,
  /** Read the status word, one CRC-protected word (§4.11). */
  readStatus: 0xf32d,
  /** Clear status bits 15, 11, 10 and 4 (§4.11). */
  clearStatus: 0x3041,
} as const;

/** Status register bits (§4.11). Power-on value 0x8010. */
export const SHT3X_STATUS = {
  alertPending: 1 << 15,
  heaterOn: 1 << 13,
  humidityAlert: 1 << 11,
  temperatureAlert: 1 << 10,
  resetDetected: 1 << 4,
  commandFailed: 1 << 1,
  writeChecksumFailed: 1 << 0,
  powerOn: 0x8010,
} as const;

/** Maximum measurement duration per repeatability, ms (§2.2, Table 4). */
export const SHT3X_MEASURE_MS = { high: 15.5, medium: 6.5, low: 4.5 } as const;

/** Soft reset time and power-up time, maximum (Table 4: tSR, tPU). */
export const SHT3X_RESET_MS = 1.5;

/**
 * Time before the serial number can be read. Not in the datasheet's timing
 * table; Sensirion's reference driver waits 1 ms.
 */
export const SHT3X_SERIAL_MS = 1;

export type Sht3xRepeatability = keyof typeof SHT3X_MEASURE_MS;

/** The measurement command for each repeatability (no clock stretching). */
export const SHT3X_MEASURE_COMMAND: Record<Sht3xRepeatability, number> = {
  high: SHT3X.measureHigh,
  medium: SHT3X.measureMedium,
  low: SHT3X.measureLow,
};
