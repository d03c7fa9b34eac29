import type { BoschCalibration } from '../../hal/drivers/bme280/decode.js';
import { BME280 } from '../../hal/drivers/bme280/registers.js';

/**
 * Trimming from a real chip: dig_T/dig_P are the BMP280 datasheet's worked
 * example (§3.12). dig_H is invented (plausible values, of the size real
 * BME280s carry); the datasheet gives no humidity example.
 */
export const DEFAULT_BOSCH_CALIBRATION: Required<BoschCalibration> = {
  T1: 27504,
  T2: 26435,
  T3: -1000,
  P1: 36477,
  P2: -10685,
  P3: 3024,
  P4: 2855,
  P5: 140,
  P6: -7,
  P7: 15500,
  P8: -14600,
  P9: 6000,
  H1: 75,
  H2: 362,
  H3: 0,
  H4: 313,
  H5: 50,
  H6: 30,
};

/**
 * The NVM as the chip shows it (§4.2.2 Table 16): dig_T1..dig_P9 as
 * little-endian words at 0x88; with humidity, dig_H1 at 0xA1 and dig_H2..H6
 * packed at 0xE1.. (dig_H4 = 0xE4·16 + 0xE5[3:0], dig_H5 = 0xE6·16 + 0xE5[7:4]).
 */
export function writeBoschCalibration(regs: Uint8Array, c: Required<BoschCalibration>, humidity: boolean): void {
  [c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9].forEach((v, i) => {
    regs[BME280.reg.calib00 + 2 * i] = v & 0xff;
    regs[BME280.reg.calib00 + 2 * i + 1] = (v >> 8) & 0xff;
  });
  if (!humidity) return;
  regs[0xa1] = c.H1;
  regs.set(
    [c.H2 & 0xff, (c.H2 >> 8) & 0xff, c.H3, (c.H4 >> 4) & 0xff, (c.H4 & 0x0f) | ((c.H5 & 0x0f) << 4), (c.H5 >> 4) & 0xff, c.H6 & 0xff],
    BME280.reg.calib26,
  );
}
