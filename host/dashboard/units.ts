/** Readings in the units people read: SenML's Cel → °C, %RH → %, %EL (a BLE device's battery) → %, Pa → hPa, lx. */

const UNITS: Record<string, { label: string; scale: number; digits: number }> = {
  Cel: { label: '°C', scale: 1, digits: 1 },
  '%RH': { label: '%', scale: 1, digits: 0 },
  '%EL': { label: '%', scale: 1, digits: 0 },
  Pa: { label: 'hPa', scale: 0.01, digits: 0 },
  lx: { label: 'lx', scale: 1, digits: 0 },
};

export function unitLabel(unit: string | undefined): string {
  return unit === undefined ? '' : (UNITS[unit]?.label ?? unit);
}

/** A value in display units (hPa for Pa). */
export function scaled(value: number, unit: string | undefined): number {
  return value * (unit === undefined ? 1 : (UNITS[unit]?.scale ?? 1));
}

export function formatReading(value: unknown, unit: string | undefined): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value !== 'number') return JSON.stringify(value);
  const u = unit === undefined ? undefined : UNITS[unit];
  const digits = u?.digits ?? (Math.abs(value) < 10 ? 2 : 1);
  const text = scaled(value, unit).toFixed(digits);
  const label = unitLabel(unit);
  return label ? `${text} ${label}` : text;
}

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function ago(ms: number | null, now: number): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

export const clockTime = (ms: number): string => new Date(ms).toLocaleTimeString();
export const dateTime = (ms: number): string => new Date(ms).toLocaleString();
