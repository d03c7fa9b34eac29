/**
 * Checks for filter options, so every bad option fails the same way:
 * TypeError for a wrong type, RangeError for a value out of range or an
 * unknown name, each message naming the filter and the option
 * (`path` is e.g. "filters[2].clamp", `key` the option).
 */
function optionName(path: string, key?: string): string {
  return key === undefined ? path : `${path}.${key}`;
}

/** A plain options object (not null, not an array) whose keys are all in `allowed`. */
export function checkOptions(path: string, v: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`${path} must be an options object, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (allowed.indexOf(k) < 0) throw new RangeError(`${path} has no option '${k}' (options: ${allowed.join(', ')})`);
  }
  return o;
}

/** True for a plain object, which is how the long form of a filter's options is told from its short form. */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkFinite(path: string, key: string | undefined, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${optionName(path, key)} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`${optionName(path, key)} must be a finite number, got ${v}`);
  return v;
}

export function checkInteger(path: string, key: string | undefined, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${optionName(path, key)} must be an integer, got ${describe(v)}`);
  if (v < min || v > max) throw new RangeError(`${optionName(path, key)} must be from ${min} to ${max}, got ${v}`);
  return v;
}

export function checkBoolean(path: string, key: string | undefined, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${optionName(path, key)} must be true or false, got ${describe(v)}`);
  return v;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60000, h: 3600000, d: 86400000 };

/**
 * A time period in ms, greater than 0. A number is milliseconds (Fazt's
 * unit everywhere); a string takes ESPHome's unit suffixes: "500ms", "10s",
 * "1.5min", "2h", "1d". A string without a unit is refused, as ESPHome does.
 */
export function checkDuration(path: string, key: string | undefined, v: unknown): number {
  let ms: number;
  if (typeof v === 'number') {
    ms = v;
  } else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|min|h|d)\s*$/.exec(v);
    if (!m) throw new RangeError(`${optionName(path, key)} must be a time period such as "500ms", "10s", "1min", "1h" or a number of ms, got "${v}"`);
    ms = parseFloat(m[1]) * UNIT_MS[m[2]];
  } else {
    throw new TypeError(`${optionName(path, key)} must be a time period (a number of ms or a string such as "10s"), got ${describe(v)}`);
  }
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`${optionName(path, key)} must be a time period greater than 0, got ${String(v)}`);
  return ms;
}

/** A non-negative amount: a number, or a percentage string such as "10%" (returned as a fraction, 0.1). */
export function checkAmount(path: string, key: string | undefined, v: unknown): { amount: number; percent: boolean } {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${optionName(path, key)} must be a finite number >= 0, got ${v}`);
    return { amount: v, percent: false };
  }
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*$/.exec(v);
    if (!m) throw new RangeError(`${optionName(path, key)} must be a number or a percentage such as "10%", got "${v}"`);
    return { amount: parseFloat(m[1]) / 100, percent: true };
  }
  throw new TypeError(`${optionName(path, key)} must be a number or a percentage string such as "10%", got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}
