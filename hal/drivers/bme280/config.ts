import { checkOneOf } from '../../contracts/check-options.js';
import type { SensorChannel } from '../sensor-driver.js';
import { BME280 } from './registers.js';

/** Oversampling factor per channel; 0 skips the channel (§3.4, §5.4.3, §5.4.5). */
type Oversampling = 0 | 1 | 2 | 4 | 8 | 16;
/** IIR filter coefficient; 0 is filter off (§3.4.4). */
type FilterCoefficient = 0 | 2 | 4 | 8 | 16;

export interface Bme280Config {
  /** 'forced': one conversion per sample(), asleep in between; 'normal': the chip cycles on its own (§3.3). */
  mode: 'forced' | 'normal';
  temperatureOversampling: Oversampling;
  pressureOversampling: Oversampling;
  humidityOversampling: Oversampling;
  filter: FilterCoefficient;
  /** Normal mode: standby between conversions, one of the chip's t_sb values (§5.4.6 Table 27). */
  standbyMs: number;
}

/** The chip table the driver runs on: ./registers.ts BME280 or ../bmp280/registers.ts BMP280. */
export interface BoschChip {
  name: string;
  chipId: number;
  humidity: boolean;
  standbyMs: readonly number[];
  calibTpLength: number;
  dataLength: number;
  channels: readonly SensorChannel[];
}

/** The weather-monitoring setting of §3.5.1: forced, ×1 everywhere, filter off. */
export const BME280_DEFAULTS: Bme280Config = {
  mode: 'forced',
  temperatureOversampling: 1,
  pressureOversampling: 1,
  humidityOversampling: 1,
  filter: 0,
  standbyMs: 1000,
};

const OVERSAMPLINGS = [0, 1, 2, 4, 8, 16];
const FILTERS = [0, 2, 4, 8, 16];
const OSRS_CODE = BME280.oversamplingCode as Record<number, number>;
const FILTER_CODE = BME280.filterCode as Record<number, number>;

function checkChoice(name: string, v: unknown, allowed: readonly number[]): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${typeof v}`);
  if (allowed.indexOf(v) < 0) throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${v}`);
  return v;
}

/** The settings in `o` over `base`, each checked against what `chip` offers (TypeError/RangeError naming the setting). */
export function checkBme280Config(chip: BoschChip, base: Bme280Config, o: Partial<Bme280Config>): Bme280Config {
  const c: Bme280Config = { ...base };
  if (o.mode !== undefined) c.mode = checkOneOf('mode', o.mode, ['forced', 'normal'] as const);
  for (const k of ['temperatureOversampling', 'pressureOversampling', 'humidityOversampling'] as const) {
    if (o[k] === undefined) continue;
    if (k === 'humidityOversampling' && !chip.humidity) throw new RangeError(`${k}: the ${chip.name} has no humidity sensor`);
    c[k] = checkChoice(k, o[k], OVERSAMPLINGS) as Oversampling;
  }
  if (!chip.humidity) c.humidityOversampling = 0;
  if (o.filter !== undefined) c.filter = checkChoice('filter', o.filter, FILTERS) as FilterCoefficient;
  if (o.standbyMs !== undefined) c.standbyMs = checkChoice('standbyMs', o.standbyMs, chip.standbyMs);
  // Pressure and humidity compensation need t_fine from a temperature conversion (§4.2.3).
  if (c.temperatureOversampling === 0 && (c.pressureOversampling !== 0 || c.humidityOversampling !== 0)) {
    throw new RangeError('temperatureOversampling must not be 0 (skip) while pressure or humidity is measured');
  }
  return c;
}

/** §5.4.5 ctrl_meas: osrs_t[7:5], osrs_p[4:2], mode[1:0]. */
export function ctrlMeasByte(c: Bme280Config, mode: number): number {
  return (OSRS_CODE[c.temperatureOversampling] << 5) | (OSRS_CODE[c.pressureOversampling] << 2) | mode;
}

/** §5.4.3 ctrl_hum: osrs_h[2:0]. */
export function ctrlHumByte(c: Bme280Config): number {
  return OSRS_CODE[c.humidityOversampling];
}

/** §5.4.6 config: t_sb[7:5] from the chip's standby table, filter[4:2]. */
export function configByte(chip: BoschChip, c: Bme280Config): number {
  return (chip.standbyMs.indexOf(c.standbyMs) << 5) | (FILTER_CODE[c.filter] << 2);
}
