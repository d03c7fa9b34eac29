import { Unpackr } from 'msgpackr';
import { CodecError } from '../../firmware/errors.js';
import { setKey, type Value, type ValueMap } from '../../firmware/codec/value.js';

const unpackr = new Unpackr({ mapsAsObjects: false, useRecords: false, int64AsType: 'bigint' });
const MAX_DEPTH = 32;

function toValue(x: unknown, depth: number, path: string): Value {
  if (depth > MAX_DEPTH) throw new CodecError('depth-limit', `${path}: nested deeper than ${MAX_DEPTH}`);
  if (x === null || typeof x === 'boolean' || typeof x === 'string' || typeof x === 'number') return x;
  if (typeof x === 'bigint') throw new CodecError('integer-range', `${path || '/'}: integer ${x} is beyond ±(2^53−1)`);
  if (x instanceof Uint8Array) return new Uint8Array(x);
  if (Array.isArray(x)) return x.map((v, i) => toValue(v, depth + 1, `${path}/${i}`));
  if (x instanceof Map) {
    const out: ValueMap = {};
    for (const [k, v] of x) {
      if (typeof k !== 'string') throw new CodecError('non-text-key', `${path || '/'}: map key ${String(k)} is not a text string`);
      setKey(out, k, toValue(v, depth + 1, `${path}/${k}`));
    }
    return out;
  }
  const proto = typeof x === 'object' ? Object.getPrototypeOf(x) : undefined;
  if (proto === Object.prototype || proto === null) {
    const out: ValueMap = {};
    for (const k of Object.keys(x as object)) setKey(out, k, toValue((x as Record<string, unknown>)[k], depth + 1, `${path}/${k}`));
    return out;
  }
  throw new CodecError('unsupported-type', `${path || '/'}: a ${x instanceof Date ? 'timestamp' : typeof x} is not part of the data model`);
}

/**
 * MessagePack (application/msgpack) into the data model: bin is a byte
 * string, maps need text keys, integers must be safe, extension types
 * (timestamps included) are refused. msgpackr decodes; this checks and
 * converts. Codes: trailing-bytes, truncated, malformed-msgpack, plus the
 * data-model ones above.
 */
export function msgpackToValue(bytes: Uint8Array): Value {
  let decoded: unknown;
  try {
    decoded = unpackr.unpack(bytes);
  } catch (e) {
    const err = e as Error & { incomplete?: boolean };
    if (err.incomplete) throw new CodecError('truncated', 'MessagePack input ends early');
    if (/end of buffer not reached/.test(err.message)) throw new CodecError('trailing-bytes', 'bytes after the MessagePack value');
    throw new CodecError('malformed-msgpack', `not MessagePack: ${err.message.split('\n')[0]}`);
  }
  return toValue(decoded, 0, '');
}
