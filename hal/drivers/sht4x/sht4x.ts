import { IoError } from '../../contracts/errors.js';
import { checkObject, checkOneOf } from '../../contracts/check-options.js';
import { checkI2cDriverOptions, hasCode, readWhenReady } from '../driver-support.js';
import type { I2C } from '../../contracts/io.js';
import type { Clock } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';
import { decodeSht4xMeasurement, decodeSht4xSerial } from './decode.js';
import {
  SHT4X,
  SHT4X_HEATER,
  SHT4X_MEASURE_COMMAND,
  SHT4X_MEASURE_MS,
  SHT4X_RESET_MS,
  SHT4X_SERIAL_MS,
  sht4xHeaterCommand,
  type Sht4xHeaterDuration,
  type Sht4xHeaterPower,
  type Sht4xPrecision,
} from './registers.js';

export interface Sht4xConfig {
  /** Measurement precision (repeatability), default 'high'. */
  precision: Sht4xPrecision;
}

export interface Sht4xOptions extends Partial<Sht4xConfig> {
  i2c: I2C;
  clock: Clock;
}

export type Sht4xSample = { temperature: number; humidity: number };

/** Ranges and resolution from the datasheet's sensor performance tables (§1). */
const CHANNELS: readonly SensorChannel[] = [
  { name: 'temperature', unit: 'Cel', min: -40, max: 125, resolution: 0.01 },
  { name: 'humidity', unit: '%RH', min: 0, max: 100, resolution: 0.01 },
];

const PRECISIONS: readonly Sht4xPrecision[] = ['high', 'medium', 'low'];
const POWERS: readonly Sht4xHeaterPower[] = [200, 110, 20];
const DURATIONS: readonly Sht4xHeaterDuration[] = [1000, 100];
/** The chip NACKs a read until its answer is there: poll this often, this many times. */
const RETRY_MS = 1;
const MAX_RETRIES = 20;

/**
 * Sensirion SHT4x humidity and temperature sensor (SHT40/41/45). The serial
 * number is the identity check; heat() runs one of the heater commands.
 */
export class Sht4x implements SensorDriver<Sht4xConfig, Sht4xSample> {
  readonly channels = CHANNELS;
  readonly serialNumber: number;
  private readonly i2c: I2C;
  private readonly clock: Clock;
  private precision: Sht4xPrecision;
  private closed = false;

  constructor(options: Sht4xOptions) {
    ({ i2c: this.i2c, clock: this.clock } = checkI2cDriverOptions(options));
    this.precision = options.precision === undefined ? 'high' : checkOneOf('precision', options.precision, PRECISIONS);
    // The chip may have just been powered: it answers nothing before tPU.
    this.clock.delay(SHT4X_RESET_MS);
    this.serialNumber = this.identify();
    this.reset();
  }

  configure(options: Partial<Sht4xConfig>): void {
    checkObject('options', options);
    const precision = options.precision === undefined ? this.precision : checkOneOf('precision', options.precision, PRECISIONS);
    this.open();
    this.precision = precision;
  }

  /** One measurement; waits the datasheet's maximum duration for the precision. */
  sample(): Sht4xSample {
    this.open();
    return this.run(SHT4X_MEASURE_COMMAND[this.precision], SHT4X_MEASURE_MS[this.precision], 'measurement');
  }

  /**
   * Heats the die (§4.9) at `powerMw` for `durationMs`, then returns the
   * high-precision measurement the chip takes at the end: it reads the heated
   * die, not the room. The heater is designed for a duty cycle of at most 10 %.
   */
  heat(powerMw: Sht4xHeaterPower, durationMs: Sht4xHeaterDuration): Sht4xSample {
    if (POWERS.indexOf(powerMw) < 0) throw new RangeError(`powerMw must be one of ${POWERS.join(', ')}, got ${String(powerMw)}`);
    if (DURATIONS.indexOf(durationMs) < 0) throw new RangeError(`durationMs must be one of ${DURATIONS.join(', ')}, got ${String(durationMs)}`);
    this.open();
    const cmd = sht4xHeaterCommand(powerMw, durationMs);
    return this.run(cmd, SHT4X_HEATER[cmd].maxMs, 'heater measurement');
  }

  /** Soft reset (§4.8). */
  reset(): void {
    this.open();
    this.i2c.write(Uint8Array.of(SHT4X.softReset));
    this.clock.delay(SHT4X_RESET_MS);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.i2c.close();
  }

  private run(cmd: number, waitMs: number, what: string): Sht4xSample {
    this.i2c.write(Uint8Array.of(cmd));
    return decodeSht4xMeasurement(this.readWhenReady(waitMs, 6, what));
  }

  private identify(): number {
    this.i2c.write(Uint8Array.of(SHT4X.serial));
    let bytes: Uint8Array;
    try {
      bytes = this.readWhenReady(SHT4X_SERIAL_MS, 6, 'serial number');
    } catch (e) {
      if (hasCode(e, 'timeout'))
        throw new IoError('absent', `not an SHT4x at 0x${this.i2c.address.toString(16)}: serial-number command 0x89 was acknowledged but never answered`, {
          cause: e,
        });
      throw e;
    }
    try {
      return decodeSht4xSerial(bytes);
    } catch (e) {
      if (hasCode(e, 'crc'))
        throw new IoError('absent', `not an SHT4x at 0x${this.i2c.address.toString(16)}: serial number read failed its CRC (${(e as Error).message})`, {
          cause: e,
        });
      throw e;
    }
  }

  private readWhenReady(waitMs: number, count: number, what: string): Uint8Array {
    return readWhenReady(this.i2c, this.clock, { waitMs, count, retryMs: RETRY_MS, maxRetries: MAX_RETRIES, what: `SHT4x ${what}` });
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', 'SHT4x used after close');
  }
}
