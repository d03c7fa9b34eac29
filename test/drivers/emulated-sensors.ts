import { Aht20, type Aht20Options } from '../../hal/drivers/aht20/aht20.js';
import { AHT20 } from '../../hal/drivers/aht20/registers.js';
import { Bh1750, type Bh1750Options } from '../../hal/drivers/bh1750/bh1750.js';
import { BH1750 } from '../../hal/drivers/bh1750/registers.js';
import { Bme280, type Bme280Options } from '../../hal/drivers/bme280/bme280.js';
import { Bmp280, type Bmp280Options } from '../../hal/drivers/bmp280/bmp280.js';
import { SHT3X } from '../../hal/drivers/sht3x/registers.js';
import { Sht3x, type Sht3xOptions } from '../../hal/drivers/sht3x/sht3x.js';
import { SHT4X } from '../../hal/drivers/sht4x/registers.js';
import { Sht4x, type Sht4xOptions } from '../../hal/drivers/sht4x/sht4x.js';
import type { I2cDeviceModel } from '../../sim/i2c/i2c-device-model.js';
import { Aht20Model } from '../../sim/models/aht20-model.js';
import { Bh1750Model } from '../../sim/models/bh1750-model.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { Sht3xModel } from '../../sim/models/sht3x-model.js';
import { Sht4xModel } from '../../sim/models/sht4x-model.js';
import type { ChipSpec, I2cDriverOptions } from './rig.js';
import type { SensorDriver } from '../../hal/drivers/sensor-driver.js';

/**
 * Every emulated I2C sensor: its driver, its model and where they meet (the
 * devicetree of Zephyr's build_all, in small). Each driver test opens its
 * chip's rig from here; test/drivers/i2c-sensors.test.ts runs what all of
 * them must do, and fails if a registered I2C driver is missing here.
 */
export const SHT3X_CHIP = {
  name: 'sht3x',
  address: SHT3X.addressLow,
  startMs: 0,
  model: (a, c) => new Sht3xModel(a, c, { serial: 0x12345678 }),
  driver: (o) => new Sht3x(o),
  finest: { repeatability: 'high' },
  crc: true,
} satisfies ChipSpec<Sht3xModel, Sht3x, Sht3xOptions>;

export const SHT4X_CHIP = {
  name: 'sht4x',
  address: SHT4X.addressA,
  startMs: 0,
  model: (a, c) => new Sht4xModel(a, c, { serial: 0x87654321 }),
  driver: (o) => new Sht4x(o),
  finest: { precision: 'high' },
  crc: true,
} satisfies ChipSpec<Sht4xModel, Sht4x, Sht4xOptions>;

export const AHT20_CHIP = {
  name: 'aht20',
  address: AHT20.address,
  startMs: 0,
  model: (a, c) => new Aht20Model(a, c),
  driver: (o) => new Aht20(o),
  finest: {},
  crc: true,
} satisfies ChipSpec<Aht20Model, Aht20, Aht20Options>;

export const BME280_CHIP = {
  name: 'bme280',
  address: 0x76,
  model: (a, c) => new Bme280Model(a, c, 'bme280'),
  driver: (o) => new Bme280(o),
  finest: { temperatureOversampling: 16, pressureOversampling: 16, humidityOversampling: 16 },
  crc: false,
} satisfies ChipSpec<Bme280Model, Bme280, Bme280Options>;

export const BMP280_CHIP = {
  name: 'bmp280',
  address: 0x76,
  model: (a, c) => new Bme280Model(a, c, 'bmp280'),
  driver: (o) => new Bmp280(o),
  finest: { temperatureOversampling: 16, pressureOversampling: 16 },
  crc: false,
} satisfies ChipSpec<Bme280Model, Bmp280, Bmp280Options>;

export const BH1750_CHIP = {
  name: 'bh1750',
  address: BH1750.addressLow,
  model: (a, c) => new Bh1750Model(c, a),
  driver: (o) => new Bh1750(o),
  // One-time: each sample is a conversion of the light as it is now (continuous mode reports the last one).
  finest: { mode: 'one-time' },
  crc: false,
} satisfies ChipSpec<Bh1750Model, Bh1750, Bh1750Options>;

/** Any chip's spec, as a generic test sees it: its settings are whatever the driver takes. */
export type AnyChipSpec = ChipSpec<I2cDeviceModel, SensorDriver, I2cDriverOptions & Record<string, unknown>>;

export const EMULATED_I2C_SENSORS: readonly AnyChipSpec[] = [SHT3X_CHIP, SHT4X_CHIP, AHT20_CHIP, BME280_CHIP, BMP280_CHIP, BH1750_CHIP];
