import { IoError } from '../../contracts/errors.js';
import { checkObject } from '../../contracts/check-options.js';
import { checkI2cDriverOptions, hasCode } from '../driver-support.js';
import type { I2C } from '../../contracts/io.js';
import type { Clock } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';
import { aht20Humidity, aht20Temperature, decodeAht20Frame } from './decode.js';
import { AHT20, AHT20_FRAME_BYTES, AHT20_INIT_MS, AHT20_MEASURE_MS, AHT20_POWER_ON_MS, AHT20_RESET_MS, AHT20_STATUS } from './registers.js';

/** The AHT20 has no settings. */
export type Aht20Config = Record<string, never>;

export interface Aht20Options {
  i2c: I2C;
  clock: Clock;
}

export type Aht20Sample = { temperature: number; humidity: number };

/** Ranges and resolution from the datasheet's performance tables. */
const CHANNELS: readonly SensorChannel[] = [
  { name: 'temperature', unit: 'Cel', min: -40, max: 85, resolution: 0.01 },
  { name: 'humidity', unit: '%RH', min: 0, max: 100, resolution: 0.024 },
];

/** While the busy bit stays set after the 80 ms wait, poll this often, this many times. */
const POLL_MS = 10;
const MAX_POLLS = 10;

/**
 * Aosong AHT20 humidity and temperature sensor. It has no ID register: the
 * identity check is the status byte's calibration bit plus one CRC-checked
 * trial measurement.
 */
export class Aht20 implements SensorDriver<Aht20Config, Aht20Sample> {
  readonly channels = CHANNELS;
  private readonly i2c: I2C;
  private readonly clock: Clock;
  private closed = false;

  constructor(options: Aht20Options) {
    ({ i2c: this.i2c, clock: this.clock } = checkI2cDriverOptions(options));
    // The chip may have just been powered (§7.4 step 1).
    this.clock.delay(AHT20_POWER_ON_MS);
    this.calibrate();
    try {
      this.measure();
    } catch (e) {
      if (hasCode(e, 'crc') || hasCode(e, 'timeout')) {
        throw new IoError('absent', `not an AHT20 at 0x${this.i2c.address.toString(16)}: trial measurement failed (${(e as Error).message})`, { cause: e });
      }
      throw e;
    }
  }

  configure(options: Partial<Aht20Config>): void {
    checkObject('options', options);
    this.open();
  }

  /** Trigger, wait 80 ms, read status + data + CRC; poll while the busy bit is set (§7.4). */
  sample(): Aht20Sample {
    this.open();
    return this.measure();
  }

  /** Soft reset, then the calibration check again. */
  reset(): void {
    this.open();
    this.i2c.write(Uint8Array.of(AHT20.softReset));
    this.clock.delay(AHT20_RESET_MS);
    this.calibrate();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.i2c.close();
  }

  /** §7.4 step 1: if the calibration bit is clear, send init and check it again. */
  private calibrate(): void {
    if (this.i2c.read(1)[0] & AHT20_STATUS.calibrated) return;
    this.i2c.write(Uint8Array.from(AHT20.init));
    this.clock.delay(AHT20_INIT_MS);
    const status = this.i2c.read(1)[0];
    if (!(status & AHT20_STATUS.calibrated)) {
      throw new IoError(
        'absent',
        `not an AHT20 at 0x${this.i2c.address.toString(16)}: status 0x${status.toString(16)} after init 0xBE 0x08 0x00, calibration bit never set`,
      );
    }
  }

  private measure(): Aht20Sample {
    this.i2c.write(Uint8Array.from(AHT20.trigger));
    this.clock.delay(AHT20_MEASURE_MS);
    for (let poll = 0; ; poll++) {
      // The CRC covers the status byte too: check it before trusting the busy bit.
      const frame = decodeAht20Frame(this.i2c.read(AHT20_FRAME_BYTES));
      if (!(frame.status & AHT20_STATUS.busy)) {
        return { temperature: aht20Temperature(frame.temperatureTicks), humidity: aht20Humidity(frame.humidityTicks) };
      }
      if (poll >= MAX_POLLS) throw new IoError('timeout', `AHT20 still busy ${AHT20_MEASURE_MS + MAX_POLLS * POLL_MS} ms after the trigger`);
      this.clock.delay(POLL_MS);
    }
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', 'AHT20 used after close');
  }
}
