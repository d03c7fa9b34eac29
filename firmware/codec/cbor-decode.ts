import { CodecError } from '../errors.js';
import { fromFloat16, toFloat16Exact } from './float16.js';
import { utf8Decode } from './utf8.js';
import { setKey, type Value, type ValueMap } from './value.js';

/**
 * A strict decoder for the deterministic CBOR that encodeCbor writes. It
 * refuses everything that would give one value two encodings or that our data
 * model cannot hold, each with its own code:
 *  trailing-bytes, truncated, indefinite-length, reserved, non-shortest,
 *  non-canonical-float, integer-range, duplicate-key, key-order, non-text-key,
 *  unsupported-tag, unsupported-simple, invalid-utf8, depth-limit, size-limit.
 */
export interface CborDecodeOptions {
  /** Deepest nesting of arrays/maps accepted (default 32). */
  maxDepth?: number;
  /** Largest input accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
}

const TWO_32 = 4294967296;
const TWO_64 = TWO_32 * TWO_32; // 2^64, exactly a number

/** Whether hi·2^32 + lo (beyond 2^53) is exactly a number: its sum, rounded or not, gives both halves back. */
function exact(hi: number, lo: number): boolean {
  const v = hi * TWO_32 + lo;
  return Math.floor(v / TWO_32) === hi && v - hi * TWO_32 === lo;
}

function hex64(w: [number, number]): string {
  return `0x${w[0].toString(16).padStart(8, '0')}${w[1].toString(16).padStart(8, '0')}`;
}

/** Short ASCII text decoded before (map keys, types, sources, names, units), by a hash of its bytes (Reader.text); a fixed size, so bounded. */
const TEXTS: (string | undefined)[] = new Array(256);
/**
 * The hash of the last text missed at each slot of TEXTS: a text is kept there only when it is seen a second time,
 * so texts that never repeat (each entry's id) do not push out the keys and names that do.
 */
const SEEN = new Int32Array(TEXTS.length);
/** The longest text kept in TEXTS: a node id with a component fits. */
const SHARED_TEXT_BYTES = 48;

class Reader {
  pos = 0;
  /** The halves of the last 8-byte argument when it is beyond 2^53 − 1. */
  wide: [number, number] | undefined;
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly maxDepth: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number, at: number): void {
    if (this.pos + n > this.bytes.length) {
      throw new CodecError('truncated', `input ends ${this.pos + n - this.bytes.length} byte(s) early`, at);
    }
  }

  /** Reads a head's argument for major types 0–5, insisting on the shortest form. */
  argument(ai: number, at: number): number {
    if (ai < 24) return ai;
    let n: number;
    let min: number;
    switch (ai) {
      case 24:
        this.need(1, at);
        n = this.bytes[this.pos];
        this.pos += 1;
        min = 24;
        break;
      case 25:
        this.need(2, at);
        n = this.view.getUint16(this.pos);
        this.pos += 2;
        min = 0x100;
        break;
      case 26:
        this.need(4, at);
        n = this.view.getUint32(this.pos);
        this.pos += 4;
        min = 0x10000;
        break;
      case 27: {
        this.need(8, at);
        const hi = this.view.getUint32(this.pos);
        const lo = this.view.getUint32(this.pos + 4);
        this.pos += 8;
        n = hi * TWO_32 + lo; // rounded beyond 2^53: item() checks, from the halves, whether it holds
        this.wide = hi > 0x1fffff ? [hi, lo] : undefined;
        min = TWO_32;
        break;
      }
      case 31:
        throw new CodecError('indefinite-length', 'indefinite-length item (deterministic CBOR needs definite lengths)', at);
      default:
        throw new CodecError('reserved', `reserved additional information ${ai}`, at);
    }
    if (n < min) throw new CodecError('non-shortest', `argument ${n} not in its shortest form`, at);
    return n;
  }

  item(depth: number): Value {
    const at = this.pos;
    this.need(1, at);
    const ib = this.bytes[this.pos++];
    const major = ib >> 5;
    const ai = ib & 31;
    if (major === 7) return this.simple(ai, at);
    this.wide = undefined;
    const n = this.argument(ai, at);
    const wide = this.wide as [number, number] | undefined;
    if (wide && major > 1) throw new CodecError('integer-range', 'length or tag beyond 2^53−1', at);
    switch (major) {
      case 0:
        if (wide && !exact(wide[0], wide[1])) throw new CodecError('integer-range', `integer ${hex64(wide)} is not exactly a number`, at);
        return n;
      case 1: {
        if (!wide) return -1 - n; // at least −2^53: exact
        // −1 − n = −(n + 1): n + 1 from the halves, carried.
        const lo = wide[1] + 1;
        const hi = lo === TWO_32 ? wide[0] + 1 : wide[0];
        const m = lo === TWO_32 ? 0 : lo;
        if (hi >= TWO_32 ? m !== 0 : !exact(hi, m)) throw new CodecError('integer-range', `integer −1 − ${hex64(wide)} is not exactly a number`, at);
        return -(hi * TWO_32 + m);
      }
      case 2: {
        this.need(n, at);
        const out = this.bytes.slice(this.pos, this.pos + n);
        this.pos += n;
        return out;
      }
      case 3: {
        this.need(n, at);
        const s = this.text(this.pos, this.pos + n);
        this.pos += n;
        return s;
      }
      case 4: {
        if (depth >= this.maxDepth) throw new CodecError('depth-limit', `nesting deeper than ${this.maxDepth}`, at);
        this.need(n, at); // every item takes at least one byte: refuse impossible counts before allocating
        const arr: Value[] = new Array(n);
        for (let i = 0; i < n; i++) arr[i] = this.item(depth + 1);
        return arr;
      }
      case 5:
        if (depth >= this.maxDepth) throw new CodecError('depth-limit', `nesting deeper than ${this.maxDepth}`, at);
        this.need(n * 2, at);
        return this.map(n, depth);
      default: // 6: tags
        throw new CodecError('unsupported-tag', `tag ${n} is not part of the data model`, at);
    }
  }

  map(n: number, depth: number): ValueMap {
    const out: ValueMap = {};
    let prevStart = -1;
    let prevEnd = -1;
    for (let i = 0; i < n; i++) {
      const kStart = this.pos;
      this.need(1, kStart);
      const kb = this.bytes[kStart];
      if (kb >> 5 !== 3) throw new CodecError('non-text-key', 'map key is not a text string', kStart);
      let key: string;
      if ((kb & 31) < 24) {
        // A short key (most are): its length is in its head, read here instead of through item().
        const kLen = kb & 31;
        this.pos = kStart + 1;
        this.need(kLen, kStart);
        key = this.text(this.pos, this.pos + kLen);
        this.pos += kLen;
      } else key = this.item(depth + 1) as string;
      const kEnd = this.pos;
      if (prevStart >= 0) {
        const c = this.compare(prevStart, prevEnd, kStart, kEnd);
        if (c === 0) throw new CodecError('duplicate-key', `duplicate map key '${key}'`, kStart);
        if (c > 0) throw new CodecError('key-order', `map key '${key}' out of deterministic order`, kStart);
      }
      prevStart = kStart;
      prevEnd = kEnd;
      setKey(out, key, this.item(depth + 1));
    }
    return out;
  }

  /**
   * The text of bytes[start..end). A short ASCII one decoded before is taken
   * from TEXTS instead of decoded again: the maps of a batch or a mesh page
   * repeat the same keys, types, sources, names and units thousands of
   * times, and one string each is less to allocate and to collect.
   */
  text(start: number, end: number): string {
    const b = this.bytes;
    const n = end - start;
    if (n === 0 || n > SHARED_TEXT_BYTES) return utf8Decode(b, start, end, 0);
    let h = n;
    for (let i = start; i < end; i++) h = (h * 31 + b[i]) | 0;
    const slot = h & (TEXTS.length - 1);
    const known = TEXTS[slot];
    if (known !== undefined && known.length === n) {
      let same = true;
      for (let i = 0; i < n && same; i++) same = known.charCodeAt(i) === b[start + i];
      if (same) return known;
    }
    const s = utf8Decode(b, start, end, 0);
    // As many characters as bytes: all ASCII, so the bytes compared above are the whole text. Kept when seen before.
    if (s.length === n) {
      if (SEEN[slot] === h) TEXTS[slot] = s;
      else SEEN[slot] = h;
    }
    return s;
  }

  compare(a0: number, a1: number, b0: number, b1: number): number {
    const b = this.bytes;
    const la = a1 - a0;
    const lb = b1 - b0;
    const n = la < lb ? la : lb;
    for (let i = 0; i < n; i++) if (b[a0 + i] !== b[b0 + i]) return b[a0 + i] - b[b0 + i];
    return la - lb;
  }

  simple(ai: number, at: number): Value {
    let v: number;
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 25: {
        this.need(2, at);
        const bits = this.view.getUint16(this.pos);
        this.pos += 2;
        v = fromFloat16(bits);
        if (Number.isNaN(v) && bits !== 0x7e00) throw new CodecError('non-canonical-float', 'NaN must be encoded as f97e00', at);
        break;
      }
      case 26:
        this.need(4, at);
        v = this.view.getFloat32(this.pos);
        this.pos += 4;
        if (Number.isNaN(v) || toFloat16Exact(v) >= 0) throw new CodecError('non-shortest', 'single-precision float that fits half precision', at);
        break;
      case 27:
        this.need(8, at);
        v = this.view.getFloat64(this.pos);
        this.pos += 8;
        if (Number.isNaN(v) || Math.fround(v) === v) throw new CodecError('non-shortest', 'double-precision float that fits single precision', at);
        break;
      case 31:
        throw new CodecError('indefinite-length', 'unexpected break (indefinite lengths are not allowed)', at);
      case 23:
        throw new CodecError('unsupported-simple', 'undefined is not part of the data model', at);
      default:
        if (ai >= 28) throw new CodecError('reserved', `reserved additional information ${ai}`, at);
        throw new CodecError('unsupported-simple', `simple value ${ai === 24 ? this.bytes[this.pos] : ai} is not part of the data model`, at);
    }
    if (Number.isInteger(v) && !Object.is(v, -0) && v >= -TWO_64 && v < TWO_64) {
      throw new CodecError('non-canonical-float', `integral float ${v} must be encoded as an integer`, at);
    }
    return v;
  }
}

export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions = {}): Value {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeCbor: bytes must be a Uint8Array');
  const maxBytes = options.maxBytes ?? 1048576;
  if (bytes.length > maxBytes) throw new CodecError('size-limit', `input of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  if (bytes.length === 0) throw new CodecError('truncated', 'empty input', 0);
  const r = new Reader(bytes, options.maxDepth ?? 32);
  const v = r.item(0);
  if (r.pos !== bytes.length) throw new CodecError('trailing-bytes', `${bytes.length - r.pos} byte(s) after the item`, r.pos);
  return v;
}
