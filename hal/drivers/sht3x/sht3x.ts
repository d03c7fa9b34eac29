import { IoError } from '../../contracts/errors.js';
import { checkObject, checkOneOf } from '../../contracts/check-options.js';
import { checkBoolean, checkI2cDriverOptions, hasCode, readWhenReady } from '../driver-support.js';
import type { I2C } from '../../contracts/io.js';
import type { Clock } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';
import { decodeSht3xMeasurement, decodeSht3xSerial, sht3xWords } from './decode.js';
import { SHT3X, SHT3X_MEASURE_COMMAND, SHT3X_MEASURE_MS, SHT3X_RESET_MS, SHT3X_SERIAL_MS, type Sht3xRepeatability } from './registers.js';

export interface Sht3xConfig {
  /** Single-shot repeatability (default 'high'): trades noise for measurement time. */
  repeatability: Sht3xRepeatability;
  /** The on-chip heater (default off), for plausibility checks and condensation. */
  heater: boolean;
}

export interface Sht3xOptions extends Partial<Sht3xConfig> {
  i2c: I2C;
  clock: Clock;
}

export type Sht3xSample = { temperature: number; humidity: number };

/** Ranges and resolution from the datasheet's sensor performance tables (§1). */
const CHANNELS: readonly SensorChannel[] = [
  { name: 'temperature', unit: 'Cel', min: -40, max: 125, resolution: 0.01 },
  { name: 'humidity', unit: '%RH', min: 0, max: 100, resolution: 0.01 },
];

const REPEATABILITIES: readonly Sht3xRepeatability[] = ['high', 'medium', 'low'];
/** Without clock stretching the chip NACKs a read until the data is there: poll this often, this many times. */
const RETRY_MS = 1;
const MAX_RETRIES = 20;

/**
 * Sensirion SHT3x humidity and temperature sensor (SHT30/31/35), single-shot
 * mode without clock stretching. The serial number is the identity check.
 */
export class Sht3x implements SensorDriver<Sht3xConfig, Sht3xSample> {
  readonly channels = CHANNELS;
  readonly serialNumber: number;
  private readonly i2c: I2C;
  private readonly clock: Clock;
  private repeatability: Sht3xRepeatability;
  private heater: boolean;
  private closed = false;

  constructor(options: Sht3xOptions) {
    ({ i2c: this.i2c, clock: this.clock } = checkI2cDriverOptions(options));
    this.repeatability = options.repeatability === undefined ? 'high' : checkOneOf('repeatability', options.repeatability, REPEATABILITIES);
    this.heater = options.heater === undefined ? false : checkBoolean('heater', options.heater);
    // The chip may have just been powered: it answers nothing before tPU.
    this.clock.delay(SHT3X_RESET_MS);
    this.serialNumber = this.identify();
    this.reset();
  }

  configure(options: Partial<Sht3xConfig>): void {
    checkObject('options', options);
    const repeatability = options.repeatability === undefined ? this.repeatability : checkOneOf('repeatability', options.repeatability, REPEATABILITIES);
    const heater = options.heater === undefined ? undefined : checkBoolean('heater', options.heater);
    this.open();
    this.repeatability = repeatability;
    if (heater !== undefined) {
      this.command(heater ? SHT3X.heaterOn : SHT3X.heaterOff);
      this.heater = heater;
    }
  }

  /** One single-shot measurement; waits the datasheet's maximum duration for the repeatability. */
  sample(): Sht3xSample {
    this.open();
    this.command(SHT3X_MEASURE_COMMAND[this.repeatability]);
    return decodeSht3xMeasurement(this.readWhenReady(SHT3X_MEASURE_MS[this.repeatability], 6, 'measurement'));
  }

  /** Soft reset (§4.9), then the configured heater state again. */
  reset(): void {
    this.open();
    this.command(SHT3X.softReset);
    this.clock.delay(SHT3X_RESET_MS);
    if (this.heater) this.command(SHT3X.heaterOn);
  }

  /** The status word (§4.11), CRC-checked. */
  readStatus(): number {
    this.open();
    this.command(SHT3X.readStatus);
    return sht3xWords(this.readWhenReady(0, 3, 'status'), 'status')[0];
  }

  /** Clears the alert and reset-detected status bits (§4.11). */
  clearStatus(): void {
    this.open();
    this.command(SHT3X.clearStatus);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      // A heater left on keeps warming the chip after we are gone.
      if (this.heater) this.command(SHT3X.heaterOff);
    } catch (e) {
      if (!(e instanceof IoError)) throw e;
    } finally {
      this.i2c.close();
    }
  }

  private identify(): number {
    this.command(SHT3X.serial);
    let bytes: Uint8Array;
    try {
      bytes = this.readWhenReady(SHT3X_SERIAL_MS, 6, 'serial number');
    } catch (e) {
      if (hasCode(e, 'timeout'))
        throw new IoError('absent', `not an SHT3x at 0x${this.i2c.address.toString(16)}: serial-number command 0x3682 was acknowledged but never answered`, {
          cause: e,
        });
      throw e;
    }
    try {
      return decodeSht3xSerial(bytes);
    } catch (e) {
      if (hasCode(e, 'crc'))
        throw new IoError('absent', `not an SHT3x at 0x${this.i2c.address.toString(16)}: serial number read failed its CRC (${(e as Error).message})`, {
          cause: e,
        });
      throw e;
    }
  }

  private command(cmd: number): void {
    this.i2c.write(Uint8Array.of(cmd >> 8, cmd & 0xff));
  }

  private readWhenReady(waitMs: number, count: number, what: string): Uint8Array {
    return readWhenReady(this.i2c, this.clock, { waitMs, count, retryMs: RETRY_MS, maxRetries: MAX_RETRIES, what: `SHT3x ${what}` });
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', 'SHT3x used after close');
  }
}
