import { IoError } from '../../contracts/errors.js';
import { checkObject } from '../../contracts/check-options.js';
import { checkI2cDriverOptions } from '../driver-support.js';
import type { I2C } from '../../contracts/io.js';
import type { Clock } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';
import { SMBus } from '../../smbus.js';
import { BME280_DEFAULTS, type Bme280Config, type BoschChip, checkBme280Config, configByte, ctrlHumByte, ctrlMeasByte } from './config.js';
import {
  type BoschCalibration,
  compensateHumidity,
  compensatePressure,
  compensateTemperature,
  parseCalibrationH,
  parseCalibrationTp,
  raw16,
  raw20,
} from './decode.js';
import { BME280 } from './registers.js';
import { measurementTimeMs } from './timing.js';

export interface Bme280Options extends Partial<Bme280Config> {
  /** Opened at 0x76 or 0x77; the driver owns it once constructed, and close() closes it. */
  i2c: I2C;
  clock: Clock;
}

/** A skipped channel is absent. (A type alias, so it meets Sample's index signature.) */
export type Bme280Sample = { temperature?: number; pressure?: number; humidity?: number };

/** After a soft reset: im_update polls, 1 ms apart, after the 2 ms start-up time. */
const RESET_POLLS = 5;
/** Forced mode: poll period once the typical conversion time has passed. */
const POLL_MS = 1;
const KNOWN_IDS: Record<number, string> = { 0x55: 'BMP180', 0x58: 'BMP280', 0x60: 'BME280', 0x61: 'BME680' };

const hex = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

/**
 * Bosch BME280 (temperature, pressure, humidity) over I2C, datasheet
 * BST-BME280-DS002. The constructor checks the chip id, soft-resets, reads
 * the calibration and applies the configuration. The BMP280 driver is this
 * class run on the BMP280's chip table (../bmp280/bmp280.ts).
 */
export class Bme280 implements SensorDriver<Bme280Config, Bme280Sample> {
  readonly channels: readonly SensorChannel[];
  private readonly chip: BoschChip;
  private readonly i2c: I2C;
  private readonly bus: SMBus;
  private readonly clock: Clock;
  private readonly cal: BoschCalibration;
  private config: Bme280Config;
  private closed = false;
  /** Normal mode: when the first conversion after configure() is surely done. */
  private firstDataAt = 0;

  constructor(options: Bme280Options) {
    checkObject('options', options);
    this.chip = this.chipTable();
    this.channels = this.chip.channels;
    const { i2c, clock } = checkI2cDriverOptions(options);
    this.config = checkBme280Config(this.chip, BME280_DEFAULTS, options);
    this.i2c = i2c;
    this.clock = clock;
    this.bus = new SMBus(i2c);

    const id = this.bus.readUint8(BME280.reg.id);
    if (id !== this.chip.chipId) {
      const guess = KNOWN_IDS[id] ? ` (a ${KNOWN_IDS[id]}?)` : '';
      throw new IoError('absent', `${this.chip.name}: expected chip id ${hex(this.chip.chipId)} at ${hex(i2c.address)}, read ${hex(id)}${guess}`);
    }
    this.softReset();
    this.cal = this.readCalibration();
    this.apply();
  }

  /** The chip this class drives; the BMP280 subclass returns its table. Called by the constructor. */
  protected chipTable(): BoschChip {
    return BME280;
  }

  configure(options: Partial<Bme280Config>): void {
    this.open();
    checkObject('options', options);
    this.config = checkBme280Config(this.chip, this.config, options);
    this.apply();
  }

  sample(): Bme280Sample {
    this.open();
    if (this.config.mode === 'forced') this.measureForced();
    else if (this.clock.now() < this.firstDataAt) this.clock.delay(this.firstDataAt - this.clock.now());
    return this.decode(this.bus.readBuffer(BME280.reg.data, this.chip.dataLength));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.bus.writeUint8(BME280.reg.ctrlMeas, BME280.modeSleep); // normal mode would keep converting
    } catch {
      // a chip that is gone must not stop the release
    }
    this.i2c.close();
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', `${this.chip.name} at ${hex(this.i2c.address)} used after close`);
  }

  /** §5.4.2 soft reset; then t_startup and im_update polls until the NVM copy is done. */
  private softReset(): void {
    this.bus.writeUint8(BME280.reg.reset, BME280.resetWord);
    this.clock.delay(BME280.startupMs);
    for (let i = 0; i < RESET_POLLS; i++) {
      if ((this.bus.readUint8(BME280.reg.status) & BME280.statusImUpdate) === 0) return;
      this.clock.delay(1);
    }
    throw new IoError(
      'timeout',
      `${this.chip.name} at ${hex(this.i2c.address)}: NVM copy (im_update) still busy ${BME280.startupMs + RESET_POLLS} ms after reset`,
    );
  }

  private readCalibration(): BoschCalibration {
    const tp = this.bus.readBuffer(BME280.reg.calib00, this.chip.calibTpLength);
    const cal = parseCalibrationTp(tp);
    if (!this.chip.humidity) return cal;
    return { ...cal, ...parseCalibrationH(tp[25], this.bus.readBuffer(BME280.reg.calib26, BME280.calibHLength)) };
  }

  /**
   * Writes the settings as §5.4 requires: sleep first (config writes in
   * normal mode may be ignored), ctrl_hum before ctrl_meas (it takes effect
   * on a ctrl_meas write), the mode last. Forced mode stays asleep until sample().
   */
  private apply(): void {
    const c = this.config;
    this.bus.writeUint8(BME280.reg.ctrlMeas, ctrlMeasByte(this.config, BME280.modeSleep));
    if (this.chip.humidity) this.bus.writeUint8(BME280.reg.ctrlHum, ctrlHumByte(c));
    this.bus.writeUint8(BME280.reg.config, configByte(this.chip, c));
    const normal = c.mode === 'normal';
    this.bus.writeUint8(BME280.reg.ctrlMeas, ctrlMeasByte(this.config, normal ? BME280.modeNormal : BME280.modeSleep));
    if (normal) this.firstDataAt = this.clock.now() + this.timing().max;
  }

  private timing(): { typical: number; max: number } {
    const c = this.config;
    return measurementTimeMs({ temperature: c.temperatureOversampling, pressure: c.pressureOversampling, humidity: c.humidityOversampling });
  }

  /** Forced mode (§3.3.2): trigger, wait the typical time, then poll measuring, bounded past the maximum time. */
  private measureForced(): void {
    const { typical, max } = this.timing();
    this.bus.writeUint8(BME280.reg.ctrlMeas, ctrlMeasByte(this.config, BME280.modeForced));
    this.clock.delay(typical);
    const polls = Math.ceil((max - typical) / POLL_MS) + 2;
    for (let i = 0; i < polls; i++) {
      if ((this.bus.readUint8(BME280.reg.status) & BME280.statusMeasuring) === 0) return;
      this.clock.delay(POLL_MS);
    }
    throw new IoError(
      'timeout',
      `${this.chip.name} at ${hex(this.i2c.address)}: conversion still running after ${typical + polls * POLL_MS} ms (datasheet max ${max.toFixed(3)} ms)`,
    );
  }

  /**
   * Raw burst → physical values. A channel is reported only when configured
   * on and its register does not hold the skip marker (a chip that reset
   * itself reads the marker too); without temperature there is no t_fine.
   */
  private decode(b: Uint8Array): Bme280Sample {
    const out: Bme280Sample = {};
    const c = this.config;
    const adcT = raw20(b, 3);
    if (c.temperatureOversampling === 0 || adcT === BME280.skipped20) return out;
    const t = compensateTemperature(adcT, this.cal);
    out.temperature = t.centi / 100;
    const adcP = raw20(b, 0);
    if (c.pressureOversampling !== 0 && adcP !== BME280.skipped20) out.pressure = compensatePressure(adcP, t.tFine, this.cal) / 256;
    const adcH = this.chip.humidity ? raw16(b, 6) : BME280.skipped16;
    if (c.humidityOversampling !== 0 && adcH !== BME280.skipped16) out.humidity = compensateHumidity(adcH, t.tFine, this.cal) / 1024;
    return out;
  }
}
