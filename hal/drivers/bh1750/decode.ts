import { BH1750, BH1750_COUNTS_PER_LX, BH1750_MTREG, BH1750_RESOLUTION_LX, BH1750_TIME_MS, type Bh1750Resolution } from './registers.js';

/**
 * BH1750 counts → lux, and the timing that goes with a setting, exactly as
 * the Technical Note gives them (page numbers as in registers.ts).
 */

/** The 16-bit result from the two bytes read, high byte first (p.10, "Read Format"). */
export function bh1750Raw(bytes: Uint8Array): number {
  if (bytes.length !== 2) throw new RangeError(`a BH1750 result is 2 bytes, got ${bytes.length}`);
  return (bytes[0] << 8) | bytes[1];
}

/**
 * lx = counts / 1.2 × (69 / MTreg), and half that in H-resolution mode2
 * (p.10 example: 0x8390 / 1.2 ≈ 28067 lx; p.11 for MTreg and mode2).
 */
export function bh1750Lux(raw: number, resolution: Bh1750Resolution, mtreg: number = BH1750_MTREG.default): number {
  const lx = (raw / BH1750_COUNTS_PER_LX) * (BH1750_MTREG.default / mtreg);
  return resolution === 'high2' ? lx / 2 : lx;
}

/** Measurement time scales with MTreg (p.11); the driver waits the maximum, rounded up to whole ms. */
export function bh1750MaxTimeMs(resolution: Bh1750Resolution, mtreg: number): number {
  return Math.ceil((BH1750_TIME_MS[resolution].max * mtreg) / BH1750_MTREG.default);
}

/** The typical measurement time, ms, for the model. */
export function bh1750TypTimeMs(resolution: Bh1750Resolution, mtreg: number): number {
  return (BH1750_TIME_MS[resolution].typ * mtreg) / BH1750_MTREG.default;
}

/** One count in lx: the channel's resolution (L-resolution counts 4 lx at MTreg 69, p.2). */
export function bh1750StepLux(resolution: Bh1750Resolution, mtreg: number): number {
  if (resolution === 'low') return (BH1750_RESOLUTION_LX.low * BH1750_MTREG.default) / mtreg;
  return bh1750Lux(1, resolution, mtreg);
}

/** The largest reading for a setting: a full-scale 0xFFFF result. */
export function bh1750MaxLux(resolution: Bh1750Resolution, mtreg: number): number {
  return bh1750Lux(0xffff, resolution, mtreg);
}

/** The two opcodes that load MTreg (p.11): high 3 bits, then low 5 bits. */
export function bh1750MtregCommands(mtreg: number): [number, number] {
  return [BH1750.mtregHigh | (mtreg >> 5), BH1750.mtregLow | (mtreg & 0x1f)];
}
