import { type BoschCalibration, compensateHumidity, compensatePressure, compensateTemperature } from '../../hal/drivers/bme280/decode.js';
import { BME280 } from '../../hal/drivers/bme280/registers.js';

/** Raw ADC values the next conversions deliver as they are (no quantisation, no filter): the back door for worked examples. */
export interface BoschRaw {
  adcT?: number;
  adcP?: number;
  adcH?: number;
}

/** One conversion's settings as the chip decoded them: oversampling factors (0 = skipped) and the IIR coefficient (0 = off). */
export interface BoschSettings {
  osT: number;
  osP: number;
  osH: number;
  coef: number;
}

/** The physical inputs at the end of the conversion (°C, Pa, %RH), read only when a channel needs them. */
export interface BoschInputs {
  temperature(): number;
  pressure(): number;
  humidity(): number;
}

/** What a conversion latches: 20-bit temperature and pressure, 16-bit humidity (skipped channels read the skip markers). */
export interface BoschAdcWords {
  adcT: number;
  adcP: number;
  adcH: number;
}

/**
 * The ADC side of a BME280/BMP280 model: physical inputs become the raw
 * value whose compensated output is nearest, by the datasheet's integer
 * formulas (§4.2.3; its §8.1 double formulas differ by up to ~0.5 Pa at
 * −40 °C through t_fine, more than the 0.18 Pa resolution), quantised to
 * 16 + log2(osrs) bits with the filter off, or run through the IIR filter
 * data = (old·(c−1) + new)/c (§3.4.4) on temperature and pressure.
 */
export class BoschAdc {
  /** IIR filter memory, temperature and pressure, in raw ADC units. */
  private filt: (number | null)[] = [null, null];

  /** The next conversion seeds the filter again (reset, config write). */
  resetFilter(): void {
    this.filt = [null, null];
  }

  convert(s: BoschSettings, cal: BoschCalibration, inputs: BoschInputs, raw: BoschRaw): BoschAdcWords {
    const tFineOf = (adc: number): number => compensateTemperature(adc, cal).tFine;
    // t_fine / 5120 is the temperature, finer than the 0.01 °C output
    const tempAt = (step: number): number => nearest((a) => tFineOf(a) / 5120, inputs.temperature(), 0x100000, step, true);
    const adcT = s.osT ? (raw.adcT ?? this.filtered(0, s.coef, tempAt, s.osT)) : BME280.skipped20;
    const tFine = tFineOf(s.osT ? adcT : tempAt(1));
    const pressAt = (step: number): number => nearest((a) => compensatePressure(a, tFine, cal) / 256, inputs.pressure(), 0x100000, step, false);
    const adcP = s.osP ? (raw.adcP ?? this.filtered(1, s.coef, pressAt, s.osP)) : BME280.skipped20;
    const humidity = (): number => nearest((a) => compensateHumidity(a, tFine, cal) / 1024, inputs.humidity(), 0x10000, 1, true);
    const adcH = s.osH ? (raw.adcH ?? humidity()) : BME280.skipped16;
    return { adcT, adcP, adcH };
  }

  /** Filter off: the ADC's 16 + log2(osrs) bits. Filter on: 20 bits through the IIR filter. */
  private filtered(ch: 0 | 1, coef: number, search: (step: number) => number, os: number): number {
    if (!coef) return search(16 / os);
    const x = search(1);
    const old = this.filt[ch];
    const f = old === null ? x : (old * (coef - 1) + x) / coef;
    this.filt[ch] = f;
    return Math.round(f);
  }
}

/** The multiple of `step` in [0, size) whose output is nearest to target, for a monotonic output. */
function nearest(f: (adc: number) => number, target: number, size: number, step: number, increasing: boolean): number {
  const g = (k: number): number => (increasing ? f(k * step) : -f(k * step));
  const t = increasing ? target : -target;
  let lo = 0,
    hi = size / step - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (g(mid) < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(g(lo - 1) - t) <= Math.abs(g(lo) - t)) lo--;
  return lo * step;
}
