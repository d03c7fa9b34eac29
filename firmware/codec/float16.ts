/**
 * IEEE 754 binary16, for CBOR's shortest-float rule (RFC 8949 §4.2.1). DataView
 * has no Float16 on the engines we target, so the conversion is done on bits.
 */

/** The binary16 bit pattern of `x` when `x` is exactly representable as one, else -1. NaN is the caller's job. */
export function toFloat16Exact(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === 0) return sign;
  if (a === Infinity) return sign | 0x7c00;
  if (a >= 6.103515625e-5) {
    // Normal range: 2^-14 ≤ a < 65520; exponent from the value, mantissa must fit 10 bits.
    if (a > 65504) return -1;
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--; // guard against log2 rounding up
    if (2 ** (e + 1) <= a) e++;
    const m = a / 2 ** e - 1; // in [0, 1)
    const frac = m * 1024;
    if (!Number.isInteger(frac)) return -1;
    return sign | ((e + 15) << 10) | frac;
  }
  // Subnormal: a = m × 2^-24 with 1 ≤ m < 1024.
  const m = a * 16777216;
  if (!Number.isInteger(m)) return -1;
  return sign | m;
}

export function fromFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f === 0 ? sign * Infinity : NaN;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}
