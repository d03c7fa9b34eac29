import type { Value, ValueMap } from '../../firmware/codec/value.js';

/** quality as stored: 0 and 1 take no bytes in an SQLite record. */
const QUALITY_CODES = ['good', 'uncertain', 'bad'] as const;

/**
 * A reading's data (schemas/reading.schema.json) as columns. `readingTime` is
 * NULL when it equals the event's time, `flags` (a JSON array) when absent.
 */
export interface ReadingColumns {
  name: string;
  unit: string | null;
  value: number;
  quality: number;
  readingTime: number | null;
  flags: string | null;
}

const KEYS = new Set(['name', 'unit', 'value', 'quality', 'time', 'flags']);

/**
 * The columns of a reading's data, or undefined when columns would not give
 * back exactly that data (the row then keeps its CBOR): a value that is not a
 * finite number or is −0 (a REAL column holds 0), a key outside the
 * schema's, a field of another type, a time that is not a safe integer.
 */
export function readingColumns(data: Value, eventTime: number): ReadingColumns | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || data instanceof Uint8Array) return undefined;
  for (const k in data) if (!KEYS.has(k)) return undefined; // for-in: no array of keys per reading
  const { name, unit, value, quality, time, flags } = data;
  if (typeof name !== 'string' || typeof value !== 'number' || !Number.isFinite(value) || Object.is(value, -0)) return undefined;
  if (unit !== undefined && typeof unit !== 'string') return undefined;
  const q = QUALITY_CODES.indexOf(quality as (typeof QUALITY_CODES)[number]);
  if (q < 0 || typeof time !== 'number' || !Number.isSafeInteger(time)) return undefined;
  if (flags !== undefined && !(Array.isArray(flags) && flags.every((f) => typeof f === 'string'))) return undefined;
  return {
    name,
    unit: unit ?? null,
    value,
    quality: q,
    readingTime: time === eventTime ? null : time,
    flags: flags === undefined ? null : JSON.stringify(flags),
  };
}

/**
 * The reading's data again, its keys in the order deterministic CBOR sorts
 * them (RFC 8949 §4.2.1: shorter keys first), the order decoding the signed
 * bytes gives, so the JSON form is the same too.
 */
export function readingData(c: ReadingColumns, eventTime: number): ValueMap {
  const m: ValueMap = { name: c.name, time: c.readingTime ?? eventTime };
  if (c.unit !== null) m.unit = c.unit;
  if (c.flags !== null) m.flags = JSON.parse(c.flags) as string[];
  m.value = c.value;
  m.quality = QUALITY_CODES[c.quality];
  return m;
}
