import { Bme280, type Bme280Options } from '../bme280/bme280.js';
import type { Bme280Config, BoschChip } from '../bme280/config.js';
import { BMP280 } from './registers.js';

/** The BME280's settings without humidity. */
export type Bmp280Config = Omit<Bme280Config, 'humidityOversampling'>;
export type Bmp280Options = Omit<Bme280Options, 'humidityOversampling'>;

/**
 * Bosch BMP280 (temperature, pressure) over I2C, datasheet BST-BMP280-DS001.
 * The chip is the BME280 without humidity, so the driver is the BME280's run
 * on the BMP280 chip table (./registers.ts): same modes, oversampling, filter,
 * timing (§3.8.1) and compensation code (../bme280/decode.ts, §3.11.3). Its
 * standby times differ (up to 4000 ms) and humidityOversampling is refused.
 */
export class Bmp280 extends Bme280 {
  constructor(options: Bmp280Options) {
    super(options);
  }

  protected override chipTable(): BoschChip {
    return BMP280;
  }

  override configure(options: Partial<Bmp280Config>): void {
    super.configure(options);
  }
}
