/**
 * A battery the board can measure: a resistor divider from the cell to an
 * ADC pin (boards/*.json `battery`). Figures are what the ADC says through
 * the divider; the charge percentage is a straight line between the
 * declared empty and full voltages, which is coarse for a LiPo (its curve is
 * flat in the middle) but never claims more than the board can know.
 */
export interface BatteryFigures {
  /** The cell's voltage, in volts (two decimals). */
  volts: number;
  /** 0..100, from the voltage between emptyVolts and fullVolts. */
  percent: number;
}

export interface BatterySource {
  read(): BatteryFigures;
}

/** A board's battery wiring (schemas/board.schema.json `battery`). */
export interface BatteryWiring {
  /** The ADC pin the divider feeds. */
  pin: number;
  /** Cell voltage / pin voltage (e.g. 2 for two equal resistors). */
  divider: number;
  /** The ADC's full-scale input voltage (an ESP32 at 11 dB attenuation reads up to about 3.1 V). */
  adcFullScaleVolts: number;
  emptyVolts: number;
  fullVolts: number;
}

/** Figures from one ADC sample (`raw` of `2^bits − 1`). */
export function batteryFromAdc(raw: number, bits: number, w: BatteryWiring): BatteryFigures {
  const max = 2 ** bits - 1;
  if (!(Number.isInteger(raw) && raw >= 0 && raw <= max)) throw new RangeError(`battery ADC sample must be an integer in 0..${max}, got ${raw}`);
  const volts = (raw / max) * w.adcFullScaleVolts * w.divider;
  return { volts: Math.round(volts * 100) / 100, percent: batteryPercent(volts, w) };
}

function batteryPercent(volts: number, w: Pick<BatteryWiring, 'emptyVolts' | 'fullVolts'>): number {
  const p = ((volts - w.emptyVolts) / (w.fullVolts - w.emptyVolts)) * 100;
  return Math.round(Math.min(100, Math.max(0, p)));
}
