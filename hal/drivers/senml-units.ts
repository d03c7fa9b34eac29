/** The SenML unit symbols a Fazt reading may carry (RFC 8428 §12.1, RFC 8798). */
export const SENML_UNITS = [
  'm', 'kg', 'g', 's', 'A', 'K', 'cd', 'mol', 'Hz', 'rad', 'sr', 'N', 'Pa', 'J', 'W', 'C', 'V', 'F', 'Ohm', 'S',
  'Wb', 'T', 'H', 'Cel', 'lm', 'lx', 'Bq', 'Gy', 'Sv', 'kat', 'm2', 'm3', 'l', 'm/s', 'm/s2', 'm3/s', 'l/s',
  'W/m2', 'cd/m2', 'bit', 'bit/s', 'lat', 'lon', 'pH', 'dB', 'dBW', 'count', '/', '%', '%RH', '%EL', 'EL',
  '1/s', '1/min', 'beat/min', 'beats', 'S/m', 'B', 'VA', 'VAs', 'var', 'vars', 'J/m', 'kg/m3', 'deg',
  'ms', 'min', 'h', 'MHz', 'kW', 'kVA', 'kvar', 'Ah', 'Wh', 'kWh', 'varh', 'kvarh', 'kVAh', 'Wh/km', 'KiB',
  'GB', 'Mbit/s', 'B/s', 'MB/s', 'mV', 'mA', 'dBm', 'ug/m3', 'mm/h', 'm/h', 'ppm', '/100m', 'hPa', 'mm',
  'cm', 'km', 'km/h', 'ppb', 'ppt', 'NTU',
] as const;
export type SenmlUnit = (typeof SENML_UNITS)[number];
