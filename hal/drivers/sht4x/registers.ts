/**
 * SHT4x (SHT40/41/45) command map. Commands are one byte. Section and table
 * numbers refer to Sensirion's "Datasheet SHT4x".
 */
export const SHT4X = {
  /** 7-bit I2C addresses by part variant: -A, -B, -C (§4.2). */
  addressA: 0x44,
  addressB: 0x45,
  addressC: 0x46,
  /** Measure T & RH with high / medium / low precision (repeatability), 6-byte answer (§4.5). */
  measureHigh: 0xfd,
  measureMedium: 0xf6,
  measureLow: 0xe0,
  /** Read the 32-bit serial number, two CRC-protected words (§4.5, §4.7). */
  serial: 0x89,
  /** Soft reset (§4.5, §4.8). */
  softReset: 0x94,
  /**
   * Heater on for 1 s or 0.1 s at 200 / 110 / 20 mW, then a high-precision
   * measurement, 6-byte answer (§4.5, §4.9).
   */
  heat200mW1s: 0x39,
  heat200mW100ms: 0x32,
  heat110mW1s: 0x2f,
  heat110mW100ms: 0x24,
  heat20mW1s: 0x1e,
  heat20mW100ms: 0x15,
} as const;

export type Sht4xPrecision = 'high' | 'medium' | 'low';
export type Sht4xHeaterPower = 200 | 110 | 20;
export type Sht4xHeaterDuration = 1000 | 100;

/** Maximum measurement duration per precision, ms (Table 3). */
export const SHT4X_MEASURE_MS: Record<Sht4xPrecision, number> = { high: 8.3, medium: 4.5, low: 1.6 };

export const SHT4X_MEASURE_COMMAND: Record<Sht4xPrecision, number> = {
  high: SHT4X.measureHigh,
  medium: SHT4X.measureMedium,
  low: SHT4X.measureLow,
};

/** Soft reset time and power-up time, maximum (Table 3). */
export const SHT4X_RESET_MS = 1;

/** Time before the serial number can be read: not in the datasheet; Sensirion's reference driver waits 1 ms. */
export const SHT4X_SERIAL_MS = 1;

/** Heater commands: power (mW), heater-on time (ms) and the command's maximum duration incl. the measurement (ms). */
export const SHT4X_HEATER: Record<number, { powerMw: Sht4xHeaterPower; onMs: Sht4xHeaterDuration; maxMs: number }> = {
  [SHT4X.heat200mW1s]: { powerMw: 200, onMs: 1000, maxMs: 1100 },
  [SHT4X.heat200mW100ms]: { powerMw: 200, onMs: 100, maxMs: 110 },
  [SHT4X.heat110mW1s]: { powerMw: 110, onMs: 1000, maxMs: 1100 },
  [SHT4X.heat110mW100ms]: { powerMw: 110, onMs: 100, maxMs: 110 },
  [SHT4X.heat20mW1s]: { powerMw: 20, onMs: 1000, maxMs: 1100 },
  [SHT4X.heat20mW100ms]: { powerMw: 20, onMs: 100, maxMs: 110 },
};

/** The heater command for a power and duration. */
export function sht4xHeaterCommand(powerMw: Sht4xHeaterPower, onMs: Sht4xHeaterDuration): number {
  for (const key in SHT4X_HEATER) {
    const h = SHT4X_HEATER[key];
    if (h.powerMw === powerMw && h.onMs === onMs) return Number(key);
  }
  throw new RangeError(`no SHT4x heater command for ${powerMw} mW, ${onMs} ms`);
}
