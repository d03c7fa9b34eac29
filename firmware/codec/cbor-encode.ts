import { CodecError } from '../errors.js';
import { toFloat16Exact } from './float16.js';
import { utf8Length, utf8Write } from './utf8.js';
import type { Value, ValueMap } from './value.js';

/**
 * Deterministic CBOR (RFC 8949 §4.2.1 "core deterministic encoding"):
 * shortest heads, definite lengths, map keys sorted by the bytewise order of
 * their encodings, floats in the shortest of half/single/double that keeps the
 * value, and integral numbers as integers wherever CBOR's 64-bit integers hold
 * them (−2^64 ≤ x < 2^64, not −0), beyond 2^53 too, as dCBOR's numeric
 * reduction does. One value therefore has exactly one encoding, which is what
 * signatures are made over.
 */
export interface CborEncodeOptions {
  /** Deepest nesting of arrays/maps accepted (default 32). */
  maxDepth?: number;
}

const TWO_32 = 4294967296;
const TWO_64 = TWO_32 * TWO_32; // 2^64, exactly a number

class Writer {
  buf: Uint8Array;
  pos = 0;
  view: DataView;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  /** A head: major type and argument in the shortest form. */
  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) {
      this.ensure(1);
      this.buf[this.pos++] = m | n;
    } else if (n < 0x100) {
      this.ensure(2);
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.ensure(3);
      this.buf[this.pos++] = m | 25;
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else if (n < TWO_32) {
      this.ensure(5);
      this.buf[this.pos++] = m | 26;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    } else {
      this.ensure(9);
      this.buf[this.pos++] = m | 27;
      this.view.setUint32(this.pos, Math.floor(n / TWO_32));
      this.view.setUint32(this.pos + 4, n >>> 0);
      this.pos += 8;
    }
  }
  /** A head with an 8-byte argument m − 1, for an integral m in [2^53, 2^64] (m − 1 itself may not be a number). */
  head64(major: number, m: number): void {
    let hi = Math.floor(m / TWO_32);
    let lo = m - hi * TWO_32;
    if (lo === 0) {
      hi -= 1;
      lo = TWO_32 - 1;
    } else lo -= 1;
    this.ensure(9);
    this.buf[this.pos++] = (major << 5) | 27;
    this.view.setUint32(this.pos, hi);
    this.view.setUint32(this.pos + 4, lo);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  text(s: string): void {
    const n = utf8Length(s);
    this.head(3, n);
    this.ensure(n);
    this.pos = utf8Write(s, this.buf, this.pos);
  }
}

function encodeNumber(w: Writer, x: number): void {
  if (Number.isInteger(x) && !Object.is(x, -0) && x >= -TWO_64 && x < TWO_64) {
    if (x >= 0) w.head(0, x);
    else if (x >= -Number.MAX_SAFE_INTEGER - 1) w.head(1, -1 - x);
    else w.head64(1, -x); // −1 − x is not a number beyond 2^53: written from −x's halves
    return;
  }
  w.ensure(9);
  const b = w.buf;
  if (Number.isNaN(x)) {
    // One NaN: the canonical quiet NaN, half precision.
    b[w.pos++] = 0xf9;
    b[w.pos++] = 0x7e;
    b[w.pos++] = 0x00;
    return;
  }
  if (Math.fround(x) === x) {
    const half = toFloat16Exact(x);
    if (half >= 0) {
      b[w.pos++] = 0xf9;
      b[w.pos++] = half >> 8;
      b[w.pos++] = half & 0xff;
      return;
    }
    b[w.pos++] = 0xfa;
    w.view.setFloat32(w.pos, x);
    w.pos += 4;
    return;
  }
  b[w.pos++] = 0xfb;
  w.view.setFloat64(w.pos, x);
  w.pos += 8;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Map keys repeat across events (type, source, seq, …), so their encodings are
 * cached; the cache is bounded so odd keys cannot grow it without limit.
 */
const keyCache = new Map<string, Uint8Array>();
const KEY_CACHE_LIMIT = 256;

function encodedKey(key: string): Uint8Array {
  let enc = keyCache.get(key);
  if (enc === undefined) {
    const kw = new Writer(key.length * 3 + 9);
    kw.text(key);
    enc = kw.buf.slice(0, kw.pos);
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(key, enc);
  }
  return enc;
}

interface EncodedKey {
  key: string;
  enc: Uint8Array;
}

const byEncoding = (a: EncodedKey, b: EncodedKey): number => compareBytes(a.enc, b.enc);

/**
 * Keys with their encodings, sorted by those bytes (§4.2.1 compares whole
 * encodings, heads included). Maps of the same shape (the envelope, a
 * reading) recur constantly, so the sorted order is cached per key list.
 */
const shapeCache = new Map<string, EncodedKey[]>();
const SHAPE_CACHE_LIMIT = 256;

function sortedKeys(map: ValueMap): EncodedKey[] {
  const keys = Object.keys(map);
  const shape = keys.join('\u0000');
  let out = shapeCache.get(shape);
  if (out === undefined) {
    out = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = { key: keys[i], enc: encodedKey(keys[i]) };
    if (out.length > 1) out.sort(byEncoding);
    if (shapeCache.size >= SHAPE_CACHE_LIMIT) shapeCache.clear();
    shapeCache.set(shape, out);
  }
  return out;
}

function encodeValue(w: Writer, v: Value, depth: number, maxDepth: number): void {
  switch (typeof v) {
    case 'number':
      encodeNumber(w, v);
      return;
    case 'string':
      w.text(v);
      return;
    case 'boolean':
      w.ensure(1);
      w.buf[w.pos++] = v ? 0xf5 : 0xf4;
      return;
    case 'object':
      break;
    default:
      throw new CodecError('unsupported-type', `cannot encode a value of type ${typeof v} in CBOR`);
  }
  if (v === null) {
    w.ensure(1);
    w.buf[w.pos++] = 0xf6;
    return;
  }
  if (depth >= maxDepth) throw new CodecError('depth-limit', `nesting deeper than ${maxDepth}`);
  if (v instanceof Uint8Array) {
    w.head(2, v.length);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.head(4, v.length);
    for (let i = 0; i < v.length; i++) encodeValue(w, v[i], depth + 1, maxDepth);
  } else {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new CodecError('unsupported-type', `cannot encode a ${(v as object).constructor?.name ?? 'non-plain'} object in CBOR`);
    }
    const keys = sortedKeys(v);
    w.head(5, keys.length);
    for (let i = 0; i < keys.length; i++) {
      w.bytes(keys[i].enc);
      const item = v[keys[i].key];
      if (item === undefined) throw new CodecError('unsupported-type', `map key '${keys[i].key}' is undefined`);
      encodeValue(w, item, depth + 1, maxDepth);
    }
  }
}

// One scratch writer, reused: encoding is synchronous and never re-enters
// encodeCbor, so no two encodings share it. It shrinks back after a large value.
let scratch = new Writer(4096);

export function encodeCbor(value: Value, options: CborEncodeOptions = {}): Uint8Array {
  const w = scratch;
  w.pos = 0;
  try {
    encodeValue(w, value, 0, options.maxDepth ?? 32);
    return w.buf.slice(0, w.pos);
  } finally {
    if (w.buf.length > 65536) scratch = new Writer(4096);
  }
}
