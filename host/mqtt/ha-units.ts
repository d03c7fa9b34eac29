/**
 * SenML units (hal/drivers/senml-units.ts) as Home Assistant reads them: the
 * unit_of_measurement string HA's sensor device classes accept and the
 * device class the unit implies (homeassistant/const.py UnitOf*, and the
 * sensor integration's "device class" table). A unit missing here is sent
 * as SenML spells it, with no device class: HA shows the number and unit.
 */
const UNITS: Readonly<Record<string, { unit?: string; deviceClass?: string }>> = {
  Cel: { unit: '°C', deviceClass: 'temperature' },
  K: { unit: 'K', deviceClass: 'temperature' },
  '%RH': { unit: '%', deviceClass: 'humidity' },
  '%': { unit: '%' },
  Pa: { unit: 'Pa', deviceClass: 'pressure' },
  hPa: { unit: 'hPa', deviceClass: 'pressure' },
  lx: { unit: 'lx', deviceClass: 'illuminance' },
  V: { unit: 'V', deviceClass: 'voltage' },
  mV: { unit: 'mV', deviceClass: 'voltage' },
  A: { unit: 'A', deviceClass: 'current' },
  mA: { unit: 'mA', deviceClass: 'current' },
  W: { unit: 'W', deviceClass: 'power' },
  kW: { unit: 'kW', deviceClass: 'power' },
  Wh: { unit: 'Wh', deviceClass: 'energy' },
  kWh: { unit: 'kWh', deviceClass: 'energy' },
  VA: { unit: 'VA', deviceClass: 'apparent_power' },
  var: { unit: 'var', deviceClass: 'reactive_power' },
  dBm: { unit: 'dBm', deviceClass: 'signal_strength' },
  dB: { unit: 'dB', deviceClass: 'sound_pressure' },
  ppm: { unit: 'ppm' },
  ppb: { unit: 'ppb' },
  'ug/m3': { unit: 'µg/m³' },
  Hz: { unit: 'Hz', deviceClass: 'frequency' },
  MHz: { unit: 'MHz', deviceClass: 'frequency' },
  s: { unit: 's', deviceClass: 'duration' },
  ms: { unit: 'ms', deviceClass: 'duration' },
  min: { unit: 'min', deviceClass: 'duration' },
  h: { unit: 'h', deviceClass: 'duration' },
  m: { unit: 'm', deviceClass: 'distance' },
  mm: { unit: 'mm', deviceClass: 'distance' },
  cm: { unit: 'cm', deviceClass: 'distance' },
  km: { unit: 'km', deviceClass: 'distance' },
  'm/s': { unit: 'm/s', deviceClass: 'speed' },
  'km/h': { unit: 'km/h', deviceClass: 'speed' },
  l: { unit: 'L', deviceClass: 'volume' },
  m3: { unit: 'm³', deviceClass: 'volume' },
  kg: { unit: 'kg', deviceClass: 'weight' },
  g: { unit: 'g', deviceClass: 'weight' },
  'W/m2': { unit: 'W/m²', deviceClass: 'irradiance' },
  'mm/h': { unit: 'mm/h', deviceClass: 'precipitation_intensity' },
  B: { unit: 'B', deviceClass: 'data_size' },
  KiB: { unit: 'KiB', deviceClass: 'data_size' },
  deg: { unit: '°' },
  count: {},
  '/': {},
};

/** Units whose readings only ever grow (meters): HA's total_increasing. */
const TOTALS = new Set(['Wh', 'kWh']);

/** Device classes a reading's name implies where its unit does not say (a '%' battery, a ppm of CO2). */
const BY_NAME: Readonly<Record<string, string>> = {
  battery: 'battery',
  co2: 'carbon_dioxide',
  pm25: 'pm25',
  pm10: 'pm10',
  pm1: 'pm1',
  rssi: 'signal_strength',
};

/** Binary readings: the device class HA's binary_sensor takes from the name. */
const BINARY_BY_NAME: Readonly<Record<string, string>> = {
  motion: 'motion',
  presence: 'occupancy',
  occupancy: 'occupancy',
  door: 'door',
  window: 'window',
  contact: 'opening',
  moisture: 'moisture',
};

export interface HaSensorKind {
  /** sensor for numbers and text, binary_sensor for booleans. */
  platform: 'sensor' | 'binary_sensor';
  unit?: string;
  deviceClass?: string;
  /** measurement or total_increasing for numbers; none for text and booleans. */
  stateClass?: 'measurement' | 'total_increasing';
}

/** How Home Assistant should show a reading of this name, unit and value type. */
export function haSensorKind(name: string, unit: string | undefined, value: unknown): HaSensorKind {
  if (typeof value === 'boolean') {
    const deviceClass = BINARY_BY_NAME[name];
    return deviceClass ? { platform: 'binary_sensor', deviceClass } : { platform: 'binary_sensor' };
  }
  if (typeof value !== 'number') return { platform: 'sensor' };
  const u = unit === undefined ? undefined : UNITS[unit];
  const out: HaSensorKind = { platform: 'sensor', stateClass: unit !== undefined && TOTALS.has(unit) ? 'total_increasing' : 'measurement' };
  const shown = u ? u.unit : unit;
  if (shown !== undefined) out.unit = shown;
  const deviceClass = u?.deviceClass ?? BY_NAME[name];
  if (deviceClass !== undefined) out.deviceClass = deviceClass;
  return out;
}
