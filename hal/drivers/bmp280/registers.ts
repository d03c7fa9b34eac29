/**
 * BMP280 register map and field codes, from the Bosch datasheet
 * BST-BMP280-DS001 (§ numbers below are that document's). Same layout as the
 * BME280 without ctrl_hum, the humidity data and the dig_H calibration.
 */
export const BMP280 = {
  name: 'BMP280',
  /** Whether the chip measures humidity (ctrl_hum, hum data, dig_H). */
  humidity: false,
  /** §5.2: SDO to GND → 0x76, SDO to VDDIO → 0x77. The driver uses whichever address the I2C was opened at. */
  addresses: [0x76, 0x77],
  /** §4.3.1: register 0xD0 "id" reads 0x58. */
  chipId: 0x58,
  reg: {
    /** §3.11.2 Table 17: dig_T1..dig_P9 at 0x88..0x9F (little-endian words; 0xA0, 0xA1 reserved). */
    calib00: 0x88,
    /** §4.3.1 chip identification. */
    id: 0xd0,
    /** §4.3.2: writing resetWord performs a complete power-on reset. */
    reset: 0xe0,
    /** §4.3.3 status: measuring[3], im_update[0]. */
    status: 0xf3,
    /** §4.3.4 ctrl_meas: osrs_t[7:5], osrs_p[4:2], mode[1:0]. */
    ctrlMeas: 0xf4,
    /** §4.3.5 config: t_sb[7:5], filter[4:2], spi3w_en[0]. */
    config: 0xf5,
    /** §4.3.6–4.3.7: press_msb..temp_xlsb, read as one burst (§3.10 data register shadowing). */
    data: 0xf7,
  },
  /** Calibration block length, 0x88..0x9F (§3.11.2). */
  calibTpLength: 24,
  /** Data burst: pressure (3) then temperature (3) bytes. */
  dataLength: 6,
  /** §4.3.2 reset word. */
  resetWord: 0xb6,
  /** §3.6.3 Table 11 / §4.3.5: t_standby in ms by t_sb code 0..7 (BMP280: codes 110/111 are 2000 and 4000 ms). */
  standbyMs: [0.5, 62.5, 125, 250, 500, 1000, 2000, 4000],
  /** §1 key parameters: −40..85 °C, 300..1100 hPa; resolutions 0.01 °C, 0.16 Pa (20-bit, §3.3.1). */
  channels: [
    { name: 'temperature', unit: 'Cel', min: -40, max: 85, resolution: 0.01 },
    { name: 'pressure', unit: 'Pa', min: 30000, max: 110000, resolution: 0.16 },
  ],
} as const;
