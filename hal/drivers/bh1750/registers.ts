/**
 * BH1750FVI instruction set. The chip has no registers to address: every
 * write is one opcode, and a read returns the 16-bit result, high byte
 * first. Page numbers refer to ROHM's "BH1750FVI Technical Note"
 * (2009.04 Rev.B): "Instruction Set Architecture" (p.5), "Electrical
 * Characteristics" (p.2), "I2C Bus Access" (p.10), "Adjust measurement
 * result for influence of optical window" (p.11).
 */
export const BH1750 = {
  /** 7-bit addresses: ADDR pin low / high (p.10, "Slave Address"). */
  addressLow: 0x23,
  addressHigh: 0x5c,
  /** No active state (p.5). The chip starts here after VCC and DVI. */
  powerDown: 0x00,
  /** Waiting for a measurement command (p.5). */
  powerOn: 0x01,
  /** Clears the data register to 0; not accepted in Power Down (p.5). */
  reset: 0x07,
  /** Continuous measurement at 1 lx / 0.5 lx / 4 lx resolution (p.5). */
  continuousHigh: 0x10,
  continuousHigh2: 0x11,
  continuousLow: 0x13,
  /** One measurement, then Power Down by itself (p.5). */
  oneTimeHigh: 0x20,
  oneTimeHigh2: 0x21,
  oneTimeLow: 0x23,
  /** Measurement time register: 01000_MT[7:5] and 011_MT[4:0] (p.5, p.11). */
  mtregHigh: 0x40,
  mtregLow: 0x60,
} as const;

/** MTreg range and default (p.11): measurement time and sensitivity scale by MTreg / 69. */
export const BH1750_MTREG = { min: 31, max: 254, default: 69 } as const;

/** Measurement accuracy, sensor out / actual lx, typical (p.2): counts per lx at MTreg 69. */
export const BH1750_COUNTS_PER_LX = 1.2;

export type Bh1750Resolution = 'high' | 'high2' | 'low';
export type Bh1750Mode = 'continuous' | 'one-time';

/** Measurement time at MTreg 69, ms (p.2: tHR 120 typ / 180 max, tLR 16 typ / 24 max; H-res mode2 as H). */
export const BH1750_TIME_MS: Record<Bh1750Resolution, { typ: number; max: number }> = {
  high: { typ: 120, max: 180 },
  high2: { typ: 120, max: 180 },
  low: { typ: 16, max: 24 },
};

/** Resolution at MTreg 69, lx (p.2: 1 lx H, 4 lx L; p.5: 0.5 lx H2). */
export const BH1750_RESOLUTION_LX: Record<Bh1750Resolution, number> = { high: 1, high2: 0.5, low: 4 };

/** The measurement opcode for a mode and resolution (p.5). */
export function bh1750Command(mode: Bh1750Mode, resolution: Bh1750Resolution): number {
  const base = resolution === 'high' ? BH1750.continuousHigh : resolution === 'high2' ? BH1750.continuousHigh2 : BH1750.continuousLow;
  // One-time opcodes are the continuous ones with bit 5 instead of bit 4 (0x1x → 0x2x).
  return mode === 'continuous' ? base : base + 0x10;
}
