import type { Digital, DigitalOptions, I2C, PWM, PwmOptions } from '../contracts/io.js';
import type { Clock, HalTime } from '../contracts/time.js';
import type { SensorDriver } from './sensor-driver.js';
import { Aht20 } from './aht20/aht20.js';
import { Bh1750 } from './bh1750/bh1750.js';
import { Bme280 } from './bme280/bme280.js';
import { Bmp280 } from './bmp280/bmp280.js';
import { Buzzer } from './buzzer/buzzer.js';
import { Button } from './button/button.js';
import { DigitalOutput } from './digital-output/digital-output.js';
import { Pir } from './pir/pir.js';
import { Sht3x } from './sht3x/sht3x.js';
import { Sht4x } from './sht4x/sht4x.js';

/**
 * Every driver by the name configurations use. I2C drivers get the opened
 * bus and the clock; pin drivers get their pin, the time and the openers.
 * Options come from the configuration and are checked by the driver itself.
 */
type Options = Record<string, unknown>;

export type DriverEntry =
  | { kind: 'i2c'; create: (o: Options & { i2c: I2C; clock: Clock }) => SensorDriver }
  | {
      kind: 'pin';
      create: (
        o: Options & {
          pin: number;
          time: HalTime;
          openDigital: (o: DigitalOptions) => Digital;
          openPwm: (o: PwmOptions) => PWM;
          onEvent?: (e: { type: string; time: number }) => void;
        },
      ) => SensorDriver;
    };

// Options arrive unchecked from configuration; each driver validates its own.
const i2c = <T>(C: new (o: T) => SensorDriver): DriverEntry => ({ kind: 'i2c', create: (o) => new C(o as unknown as T) });
const pin = <T>(C: new (o: T) => SensorDriver): DriverEntry => ({ kind: 'pin', create: (o) => new C(o as unknown as T) });

export const DRIVERS: Record<string, DriverEntry> = {
  bme280: i2c(Bme280),
  bmp280: i2c(Bmp280),
  sht3x: i2c(Sht3x),
  sht4x: i2c(Sht4x),
  aht20: i2c(Aht20),
  bh1750: i2c(Bh1750),
  pir: pin(Pir),
  button: pin(Button),
  'digital-output': pin(DigitalOutput),
  buzzer: pin(Buzzer),
};
