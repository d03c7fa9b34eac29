/**
 * Pure Bosch BME280/BMP280 decoding: calibration words, raw ADC values and the
 * datasheet's fixed-point compensation (BME280 DS002 §4.2.3 = BMP280 DS001
 * §3.11.3 for temperature and 64-bit pressure; BMP280 §8.2 for the 32-bit
 * pressure variant). Integer arithmetic follows C exactly: Math.imul for int32
 * products, >>> for uint32, BigInt for the int64 pressure formula (a 64-bit
 * product there does not fit a double's 53 bits; XS has BigInt).
 */

/** Trimming parameters (§4.2.2 Table 16). dig_H* are absent on a BMP280. */
export interface BoschCalibration {
  T1: number;
  T2: number;
  T3: number;
  P1: number;
  P2: number;
  P3: number;
  P4: number;
  P5: number;
  P6: number;
  P7: number;
  P8: number;
  P9: number;
  H1?: number;
  H2?: number;
  H3?: number;
  H4?: number;
  H5?: number;
  H6?: number;
}

const u16 = (b: ArrayLike<number>, i: number): number => b[i] | (b[i + 1] << 8);
const s16 = (b: ArrayLike<number>, i: number): number => (u16(b, i) << 16) >> 16;
const s8 = (v: number): number => (v << 24) >> 24;

/** dig_T1..dig_P9 from the 24 bytes at 0x88 (little-endian; T1 and P1 unsigned). */
export function parseCalibrationTp(b: ArrayLike<number>): BoschCalibration {
  if (b.length < 24) throw new RangeError(`calibration block must have 24 bytes, got ${b.length}`);
  return {
    T1: u16(b, 0),
    T2: s16(b, 2),
    T3: s16(b, 4),
    P1: u16(b, 6),
    P2: s16(b, 8),
    P3: s16(b, 10),
    P4: s16(b, 12),
    P5: s16(b, 14),
    P6: s16(b, 16),
    P7: s16(b, 18),
    P8: s16(b, 20),
    P9: s16(b, 22),
  };
}

/**
 * dig_H1 (0xA1) and dig_H2..dig_H6 from the 7 bytes at 0xE1. dig_H4 is
 * 0xE4[7:0]·16 + 0xE5[3:0]; dig_H5 is 0xE6[7:0]·16 + 0xE5[7:4]; both 12-bit
 * signed (the MSB byte is sign-extended, as Bosch's reference driver does).
 */
export function parseCalibrationH(h1: number, b: ArrayLike<number>): Required<Pick<BoschCalibration, 'H1' | 'H2' | 'H3' | 'H4' | 'H5' | 'H6'>> {
  if (b.length < 7) throw new RangeError(`humidity calibration block must have 7 bytes, got ${b.length}`);
  return {
    H1: h1 & 0xff,
    H2: s16(b, 0),
    H3: b[2],
    H4: (s8(b[3]) * 16) | (b[4] & 0x0f),
    H5: (s8(b[5]) * 16) | (b[4] >> 4),
    H6: s8(b[6]),
  };
}

/** A 20-bit temperature or pressure ADC value from msb, lsb, xlsb[7:4] (§5.4.7, §5.4.8). */
export function raw20(b: ArrayLike<number>, i: number): number {
  return (b[i] << 12) | (b[i + 1] << 4) | (b[i + 2] >> 4);
}

/** The 16-bit humidity ADC value from msb, lsb (§5.4.9). */
export function raw16(b: ArrayLike<number>, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

/**
 * BME280_compensate_T_int32: temperature in 0.01 °C, and t_fine, which the
 * pressure and humidity formulas need.
 */
export function compensateTemperature(adcT: number, c: BoschCalibration): { centi: number; tFine: number } {
  const var1 = Math.imul((adcT >> 3) - (c.T1 << 1), c.T2) >> 11;
  const d = (adcT >> 4) - c.T1;
  const var2 = Math.imul(Math.imul(d, d) >> 12, c.T3) >> 14;
  const tFine = (var1 + var2) | 0;
  return { centi: (Math.imul(tFine, 5) + 128) >> 8, tFine };
}

/** BME280_compensate_P_int64: pressure in Pa as unsigned Q24.8 (divide by 256); 0 if the calibration divides by zero. */
export function compensatePressure(adcP: number, tFine: number, c: BoschCalibration): number {
  let var1 = BigInt(tFine) - 128000n;
  let var2 = var1 * var1 * BigInt(c.P6);
  var2 = var2 + ((var1 * BigInt(c.P5)) << 17n);
  var2 = var2 + (BigInt(c.P4) << 35n);
  var1 = ((var1 * var1 * BigInt(c.P3)) >> 8n) + ((var1 * BigInt(c.P2)) << 12n);
  var1 = (((1n << 47n) + var1) * BigInt(c.P1)) >> 33n;
  if (var1 === 0n) return 0;
  let p = 1048576n - BigInt(adcP);
  p = (((p << 31n) - var2) * 3125n) / var1; // BigInt division truncates toward zero, as C does
  var1 = (BigInt(c.P9) * (p >> 13n) * (p >> 13n)) >> 25n;
  var2 = (BigInt(c.P8) * p) >> 19n;
  p = ((p + var1 + var2) >> 8n) + (BigInt(c.P7) << 4n);
  return Number(BigInt.asUintN(32, p));
}

/** bmp280_compensate_P_int32 (BMP280 §8.2): pressure in whole Pa; coarser than the 64-bit formula. */
export function compensatePressure32(adcP: number, tFine: number, c: BoschCalibration): number {
  let var1 = (tFine >> 1) - 64000;
  let var2 = Math.imul(Math.imul(var1 >> 2, var1 >> 2) >> 11, c.P6);
  var2 = (var2 + (Math.imul(var1, c.P5) << 1)) | 0;
  var2 = ((var2 >> 2) + (c.P4 << 16)) | 0;
  var1 = ((Math.imul(c.P3, Math.imul(var1 >> 2, var1 >> 2) >> 13) >> 3) + (Math.imul(c.P2, var1) >> 1)) >> 18;
  var1 = Math.imul(32768 + var1, c.P1) >> 15;
  if (var1 === 0) return 0;
  const div = var1 >>> 0;
  let p = Math.imul((1048576 - adcP - (var2 >> 12)) | 0, 3125) >>> 0;
  p = p < 0x80000000 ? Math.floor(((p << 1) >>> 0) / div) : (Math.floor(p / div) * 2) >>> 0;
  var1 = Math.imul(c.P9, (Math.imul(p >>> 3, p >>> 3) >>> 13) | 0) >> 12;
  var2 = Math.imul((p >>> 2) | 0, c.P8) >> 13;
  return ((p | 0) + ((var1 + var2 + c.P7) >> 4)) >>> 0;
}

/** bme280_compensate_H_int32: relative humidity as unsigned Q22.10 (divide by 1024), clamped to 0..100 %RH. */
export function compensateHumidity(adcH: number, tFine: number, c: BoschCalibration): number {
  const H1 = c.H1 ?? 0,
    H2 = c.H2 ?? 0,
    H3 = c.H3 ?? 0,
    H4 = c.H4 ?? 0,
    H5 = c.H5 ?? 0,
    H6 = c.H6 ?? 0;
  let v = (tFine - 76800) | 0;
  const a = ((((adcH << 14) - (H4 << 20) - Math.imul(H5, v)) | 0) + 16384) >> 15;
  const b = (Math.imul(((Math.imul(Math.imul(v, H6) >> 10, (Math.imul(v, H3) >> 11) + 32768) >> 10) + 2097152) | 0, H2) + 8192) >> 14;
  v = Math.imul(a, b);
  v = (v - (Math.imul(Math.imul(v >> 15, v >> 15) >> 7, H1) >> 4)) | 0;
  if (v < 0) v = 0;
  if (v > 419430400) v = 419430400;
  return v >> 12;
}
