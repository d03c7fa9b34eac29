/**
 * Readings as people read them: rounded to the channel's resolution, in
 * everyday units (°C, %, hPa, lx). Only for the terminal: the data itself
 * (events, -o files, the API) keeps SenML units and full values.
 */

/** SenML unit → the unit shown and the factor from one to the other. */
const HUMAN_UNITS: Record<string, { unit: string; factor: number }> = {
  Cel: { unit: '°C', factor: 1 },
  '%RH': { unit: '%', factor: 1 },
  '%EL': { unit: '%', factor: 1 },
  Pa: { unit: 'hPa', factor: 0.01 },
  m: { unit: 'm', factor: 1 },
  ms: { unit: 'ms', factor: 1 },
  count: { unit: '', factor: 1 },
  '/': { unit: '', factor: 1 },
};

/** Decimals that show a step of `resolution`: 0.01 → 2, 0.833 → 1, 1 → 0. */
function decimalsFor(resolution: number): number {
  return Math.min(6, Math.max(0, Math.ceil(-Math.log10(resolution) - 1e-9)));
}

/**
 * "21.00 °C" for 20.999847 Cel at a 0.01 resolution. Without a resolution
 * (a reading whose driver is not known here) two decimals at most.
 */
export function valueText(value: unknown, unit: string | undefined, resolution?: number): string {
  if (typeof value !== 'number') return String(value);
  const human = unit === undefined ? { unit: '', factor: 1 } : (HUMAN_UNITS[unit] ?? { unit, factor: 1 });
  const v = value * human.factor;
  let text: string;
  if (resolution !== undefined && resolution > 0) {
    const step = resolution * human.factor;
    text = (Math.round(v / step) * step).toFixed(decimalsFor(step));
  } else text = String(Math.round(v * 100) / 100);
  return human.unit ? `${text} ${human.unit}` : text;
}

/** "temperature 21.00 °C": a reading's name and value for a person. */
export function readingText(r: { name: string; value: unknown; unit?: string }, resolution?: number): string {
  return `${r.name} ${valueText(r.value, r.unit, resolution)}`;
}
