/**
 * BME280 register map and field codes, from the Bosch datasheet
 * BST-BME280-DS002 (§ numbers below are that document's). The BMP280 shares
 * this layout minus humidity (see ../bmp280/registers.ts).
 */
export const BME280 = {
  name: 'BME280',
  /** Whether the chip measures humidity (ctrl_hum, hum data, dig_H). */
  humidity: true,
  /** §6.2: SDO to GND → 0x76, SDO to VDDIO → 0x77. The driver uses whichever address the I2C was opened at. */
  addresses: [0x76, 0x77],
  /** §5.4.1: register 0xD0 "id" reads 0x60. */
  chipId: 0x60,
  reg: {
    /** §4.2.2 Table 16: calib00..calib25, dig_T1..dig_P9 (little-endian words) then 0xA0 unused, 0xA1 dig_H1. */
    calib00: 0x88,
    /** §5.4.1 chip identification. */
    id: 0xd0,
    /** §5.4.2: writing resetWord performs a complete power-on reset. */
    reset: 0xe0,
    /** §4.2.2 Table 16: calib26..calib32, dig_H2..dig_H6 (dig_H4/dig_H5 share 0xE5's nibbles). */
    calib26: 0xe1,
    /** §5.4.3 ctrl_hum: osrs_h[2:0]; takes effect only after a write to ctrl_meas. */
    ctrlHum: 0xf2,
    /** §5.4.4 status: measuring[3], im_update[0]. */
    status: 0xf3,
    /** §5.4.5 ctrl_meas: osrs_t[7:5], osrs_p[4:2], mode[1:0]. */
    ctrlMeas: 0xf4,
    /** §5.4.6 config: t_sb[7:5], filter[4:2], spi3w_en[0]. Writes in normal mode may be ignored. */
    config: 0xf5,
    /** §5.4.7–5.4.9: press_msb..hum_lsb, read as one burst so all values come from one conversion (§4 shadowing). */
    data: 0xf7,
  },
  /** Calibration block lengths: 0x88..0xA1 and 0xE1..0xE7 (§4.2.2). */
  calibTpLength: 26,
  calibHLength: 7,
  /** Data burst: pressure (3), temperature (3), humidity (2) bytes (§5.4.7–5.4.9). */
  dataLength: 8,
  /** §5.4.2 reset word. */
  resetWord: 0xb6,
  /** §5.4.4 status bits. */
  statusMeasuring: 0x08,
  statusImUpdate: 0x01,
  /** §5.4.5 mode[1:0] (01 and 10 are both forced). */
  modeSleep: 0b00,
  modeForced: 0b01,
  modeNormal: 0b11,
  /** §5.4.3/§5.4.5 Tables 20, 23, 24: osrs code by oversampling factor (0 = skipped; code 101+ = ×16). */
  oversamplingCode: { 0: 0, 1: 1, 2: 2, 4: 3, 8: 4, 16: 5 },
  /** §5.4.6 Table 28: filter code by IIR coefficient (0 = filter off). */
  filterCode: { 0: 0, 2: 1, 4: 2, 8: 3, 16: 4 },
  /** The inverse, as the chip reads a register: factor by osrs code 0..7 (101 and above are ×16). */
  oversamplingByCode: [0, 1, 2, 4, 8, 16, 16, 16],
  /** IIR coefficient by filter code 0..7 (100 and above are 16). */
  filterByCode: [0, 2, 4, 8, 16, 16, 16, 16],
  /** §5.4.6 Table 27: t_standby in ms by t_sb code 0..7 (BME280: codes 110/111 are 10 and 20 ms). */
  standbyMs: [0.5, 62.5, 125, 250, 500, 1000, 10, 20],
  /** §4.2.2/§5.4.7: the value a skipped temperature or pressure reads (20-bit), and a skipped humidity (16-bit). */
  skipped20: 0x80000,
  skipped16: 0x8000,
  /** Table 1: start-up time, the wait before the first access after (soft) reset. */
  startupMs: 2,
  /** Table 1 operating ranges; resolutions 0.01 °C, 0.18 Pa (highest oversampling), 0.008 %RH. */
  channels: [
    { name: 'temperature', unit: 'Cel', min: -40, max: 85, resolution: 0.01 },
    { name: 'pressure', unit: 'Pa', min: 30000, max: 110000, resolution: 0.18 },
    { name: 'humidity', unit: '%RH', min: 0, max: 100, resolution: 0.008 },
  ],
} as const;
