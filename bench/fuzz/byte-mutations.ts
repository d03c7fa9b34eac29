import fc from 'fast-check';
import { cborItems } from './cbor-items.js';

/**
 * Byte-level mutations of a real sample (the AFL/libFuzzer repertoire): bit
 * flips, byte sets and arithmetic, inserts, deletes, truncation, splicing
 * from another sample, and length-field tweaks (a CBOR head's argument
 * rewritten, widened, its major type changed, or an indefinite length
 * opened). Each operation is plain numbers drawn by fast-check, applied
 * modulo the input's length, so a seed reproduces the exact bytes.
 */
export interface ByteOp {
  kind: number;
  at: number;
  value: number;
}

const KINDS = 12;
/** Inputs never grow past this: a decoder's size limit is not what is fuzzed. */
const MAX_INPUT = 8192;
/** Arguments a length field is set to: the edges decoders get wrong. */
const EDGE_ARGS = [0, 1, 2, 23, 24, 255, 256, 65535, 65536, 0x7fffffff, 0xffffffff, 2 ** 53 - 1, 2 ** 53, 2 ** 64 - 1];
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x9f, 0xbf, 0xf6, 0xf7, 0x22, 0x7b, 0x0a];

export const byteOp: fc.Arbitrary<ByteOp> = fc.record({ kind: fc.nat(KINDS - 1), at: fc.nat(), value: fc.nat() });

function head(major: number, arg: number): number[] {
  const m = major << 5;
  if (arg < 24) return [m | arg];
  if (arg < 256) return [m | 24, arg];
  if (arg < 65536) return [m | 25, arg >> 8, arg & 255];
  if (arg < 2 ** 32) return [m | 26, arg >>> 24, (arg >>> 16) & 255, (arg >>> 8) & 255, arg & 255];
  const hi = Math.floor(arg / 2 ** 32);
  const lo = arg % 2 ** 32;
  return [m | 27, hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255];
}

function splice(b: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** One CBOR head rewritten: a new argument, a wider encoding, another major type, or an indefinite length. */
function cborHead(b: Uint8Array, op: ByteOp): Uint8Array {
  const items = cborItems(b);
  if (items.length === 0) return b;
  const it = items[op.at % items.length];
  const v = op.value;
  switch (v % 4) {
    case 0:
      return splice(b, it.offset, it.headLength, head(it.major, EDGE_ARGS[(v >> 2) % EDGE_ARGS.length]));
    case 1: {
      const wider = [24, 25, 26, 27][(v >> 2) % 4];
      const bytes = new Uint8Array(1 + (1 << (wider - 24)));
      bytes[0] = (it.major << 5) | wider;
      let a = it.argument;
      for (let i = bytes.length - 1; i > 0; i--, a = Math.floor(a / 256)) bytes[i] = a % 256;
      return splice(b, it.offset, it.headLength, bytes);
    }
    case 2:
      return splice(b, it.offset, 1, [(((v >> 2) % 8) << 5) | (b[it.offset] & 31)]);
    default:
      return it.major >= 2 && it.major <= 5 ? splice(splice(b, it.end, 0, [0xff]), it.offset, it.headLength, [(it.major << 5) | 31]) : b;
  }
}

function applyByteOp(b: Uint8Array, op: ByteOp, others: readonly Uint8Array[]): Uint8Array {
  const n = b.length;
  const at = n === 0 ? 0 : op.at % n;
  switch (op.kind) {
    case 0: // bit flip
      if (n === 0) return b;
      return splice(b, at, 1, [b[at] ^ (1 << (op.value % 8))]);
    case 1: // an interesting byte
      if (n === 0) return b;
      return splice(b, at, 1, [INTERESTING[op.value % INTERESTING.length]]);
    case 2: // arithmetic on a byte (a length or count off by a little)
      if (n === 0) return b;
      return splice(b, at, 1, [(b[at] + (op.value % 33) - 16) & 255]);
    case 3: // insert random bytes
      return splice(
        b,
        n === 0 ? 0 : op.value % (n + 1),
        0,
        Array.from({ length: 1 + (op.at % 8) }, (_, i) => (op.value >> i) & 255),
      );
    case 4: // delete a range
      return splice(b, at, Math.min(n - at, 1 + (op.value % 16)), []);
    case 5: // truncate
      return b.slice(0, at);
    case 6: {
      // splice: a range of another sample replaces the tail
      const o = others[op.value % others.length];
      if (o.length === 0) return b;
      const from = op.value % o.length;
      return splice(b, at, n - at, o.subarray(from, from + 1 + (op.at % 64)));
    }
    case 7: {
      // duplicate a range in place
      const len = Math.min(n - at, 1 + (op.value % 32));
      return splice(b, at, 0, b.slice(at, at + len));
    }
    case 8: // random byte
      if (n === 0) return b;
      return splice(b, at, 1, [op.value & 255]);
    case 9: {
      // a 16-bit big- or little-endian field off by a little
      if (n < 2) return b;
      const p = at === n - 1 ? at - 1 : at;
      const big = (op.value & 1) === 0;
      const v = big ? (b[p] << 8) | b[p + 1] : b[p] | (b[p + 1] << 8);
      const w = (v + (op.value % 9) - 4) & 0xffff;
      return splice(b, p, 2, big ? [w >> 8, w & 255] : [w & 255, w >> 8]);
    }
    default:
      return cborHead(b, op);
  }
}

/** The mutated input: a sample, then up to `maxOps` operations; capped at MAX_INPUT bytes. */
export function mutateBytes(sample: Uint8Array, ops: readonly ByteOp[], others: readonly Uint8Array[]): Uint8Array {
  let b = sample;
  for (const op of ops) {
    b = applyByteOp(b, op, others);
    if (b.length > MAX_INPUT) b = b.slice(0, MAX_INPUT);
  }
  return b === sample ? sample.slice() : b;
}
