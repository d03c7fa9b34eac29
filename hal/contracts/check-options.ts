/**
 * Option checks shared by every backend, so a bad option fails the same way
 * on sim, Linux and Moddable: TypeError for a wrong type, RangeError for a
 * value out of range, each naming the option.
 */
export function checkObject(name: string, v: unknown): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw new TypeError(`${name} must be an options object`);
}

export function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name} must be an integer, got ${typeof v === 'number' ? v : typeof v}`);
  if (v < min || v > max) throw new RangeError(`${name} must be from ${min} to ${max}, got ${v}`);
  return v;
}

export function checkOptionalInt(name: string, v: unknown, min: number, max: number, fallback: number): number {
  return v === undefined ? fallback : checkInt(name, v, min, max);
}

export function checkOneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || (allowed as readonly string[]).indexOf(v) < 0) {
    throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  }
  return v as T;
}

export function checkFunction(name: string, v: unknown): (...args: never[]) => unknown {
  if (typeof v !== 'function') throw new TypeError(`${name} must be a function`);
  return v as (...args: never[]) => unknown;
}
