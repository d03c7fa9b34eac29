import { CodecError } from '../errors.js';
import { fromBase64url, toBase64url } from './text-encodings.js';
import { isValueMap, setKey, type Value, type ValueMap } from './value.js';

/**
 * The JSON form of the data model. JSON has no byte strings, so a byte string
 * is written as an object with the single key "$bytes" holding base64url
 * (RFC 4648 §5, unpadded); that one-key shape is reserved. −0 is written
 * "-0.0" (JSON.stringify would lose its sign). NaN and ±Infinity have no JSON
 * form and are refused. With those rules JSON ↔ CBOR is lossless.
 */
const BYTES_KEY = '$bytes';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function isBytesObject(v: ValueMap): boolean {
  let n = 0;
  for (const k in v) {
    if (k !== BYTES_KEY) return false;
    n++;
  }
  return n === 1;
}

/** Value → JSON value (byte strings become {"$bytes": …}). */
export function toJsonValue(v: Value, path = ''): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new CodecError('no-json-form', `${path || '/'}: ${v} has no JSON form`);
    return v;
  }
  if (v instanceof Uint8Array) return { [BYTES_KEY]: toBase64url(v) };
  if (Array.isArray(v)) return v.map((x, i) => toJsonValue(x, `${path}/${i}`));
  if (isBytesObject(v)) throw new CodecError('reserved-key', `${path || '/'}: a map whose only key is "${BYTES_KEY}" has no JSON form`);
  const out: { [key: string]: JsonValue } = {};
  for (const k of Object.keys(v)) out[k] = toJsonValue(v[k], `${path}/${k}`);
  return out;
}

/** JSON value → Value (objects of the reserved one-key shape become byte strings). */
export function fromJsonValue(j: unknown, path = ''): Value {
  if (j === null || typeof j === 'boolean' || typeof j === 'string') return j;
  if (typeof j === 'number') {
    if (!Number.isFinite(j)) throw new CodecError('no-json-form', `${path || '/'}: ${j} is not a JSON number`);
    return j;
  }
  if (Array.isArray(j)) return j.map((x, i) => fromJsonValue(x, `${path}/${i}`));
  if (isValueMap(j)) {
    if (isBytesObject(j)) {
      const text = j[BYTES_KEY];
      if (typeof text !== 'string') throw new CodecError('reserved-key', `${path || '/'}: "${BYTES_KEY}" must hold a base64url string`);
      return fromBase64url(text);
    }
    const out: ValueMap = {};
    for (const k of Object.keys(j)) setKey(out, k, fromJsonValue(j[k], `${path}/${k}`));
    return out;
  }
  throw new CodecError('unsupported-type', `${path || '/'}: a ${typeof j} is not part of the data model`);
}

function writeJson(v: Value, out: string[], path: string): void {
  if (v === null) out.push('null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'string') out.push(JSON.stringify(v));
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new CodecError('no-json-form', `${path || '/'}: ${v} has no JSON form`);
    out.push(Object.is(v, -0) ? '-0.0' : String(v));
  } else if (v instanceof Uint8Array) out.push(`{"${BYTES_KEY}":"${toBase64url(v)}"}`);
  else if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i) out.push(',');
      writeJson(v[i], out, `${path}/${i}`);
    }
    out.push(']');
  } else {
    if (isBytesObject(v)) throw new CodecError('reserved-key', `${path || '/'}: a map whose only key is "${BYTES_KEY}" has no JSON form`);
    out.push('{');
    let first = true;
    for (const k of Object.keys(v)) {
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(k), ':');
      writeJson(v[k], out, `${path}/${k}`);
    }
    out.push('}');
  }
}

/** Value → JSON text. */
export function stringifyJson(v: Value): string {
  const out: string[] = [];
  writeJson(v, out, '');
  return out.join('');
}

/** JSON text → Value, with the parse error turned into a CodecError. */
export function parseJson(text: string): Value {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new CodecError('malformed-json', `malformed JSON: ${(e as Error).message}`);
  }
  return fromJsonValue(j);
}
