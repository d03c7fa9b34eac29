import { IoError } from '../../hal/contracts/errors.js';
import type { Clock } from '../../hal/contracts/time.js';
import { crc8 } from '../../hal/drivers/crc8.js';
import { AHT20, AHT20_INIT_MS, AHT20_MEASURE_MS, AHT20_POWER_ON_MS, AHT20_RESET_MS, AHT20_STATUS } from '../../hal/drivers/aht20/registers.js';
import { I2cDeviceModel } from '../i2c/i2c-device-model.js';

export interface Aht20ModelOptions {
  /** Whether the calibration bit is set at power-on (default true); false makes the driver send init. */
  calibratedAtPowerOn?: boolean;
}

const FULL = 1 << 20;

function ticks20(x: number): number {
  return Math.min(FULL - 1, Math.max(0, Math.round(x)));
}

/**
 * An AHT20 at command level: not answering until 40 ms after power-on (20 ms
 * after a soft reset), the calibration bit and init, a triggered measurement
 * that keeps the busy bit set for 80 ms, and every read returning the status
 * byte, the last result and a CRC-8 over the first six bytes. Unknown
 * commands are ignored (0x71, which some drivers write before reading the
 * status, is one).
 */
export class Aht20Model extends I2cDeviceModel {
  calibrated = true;
  readonly calibratedAtPowerOn: boolean;
  /** Init and soft-reset commands received, for tests. */
  inits = 0;
  softResets = 0;
  private readyAt = 0;
  private busyUntil = 0;
  /** A triggered measurement not yet latched into the data. */
  private pendingAt: number | null = null;
  private data = { humidity: 0, temperature: 0 };
  private raw: { humidity: number; temperature: number } | null = null;

  constructor(address: number, clock: Clock, options: Aht20ModelOptions = {}) {
    super(address, clock);
    // Options may come unchecked from a scenario file.
    if (options.calibratedAtPowerOn !== undefined && typeof options.calibratedAtPowerOn !== 'boolean')
      throw new TypeError('calibratedAtPowerOn must be a boolean');
    this.calibratedAtPowerOn = options.calibratedAtPowerOn ?? true;
    this.reset();
  }

  /** Power-on: nothing answers for 40 ms, calibration bit as at power-on, no data. */
  reset(): void {
    this.restart(AHT20_POWER_ON_MS);
  }

  /** Back door: every following measurement returns these raw 20-bit ticks (null restores the physical inputs). */
  setRaw(humidityTicks: number | null, temperatureTicks = 0): void {
    this.raw = humidityTicks === null ? null : { humidity: humidityTicks, temperature: temperatureTicks };
  }

  protected onWrite(bytes: Uint8Array): void {
    this.checkAwake('write');
    const now = this.clock.now();
    if (bytes.length === 3 && bytes[0] === AHT20.trigger[0] && bytes[1] === AHT20.trigger[1] && bytes[2] === AHT20.trigger[2]) {
      this.busyUntil = now + AHT20_MEASURE_MS + this.extraConversionMs;
      this.pendingAt = this.busyUntil;
    } else if (bytes.length === 3 && bytes[0] === AHT20.init[0] && bytes[1] === AHT20.init[1] && bytes[2] === AHT20.init[2]) {
      this.inits++;
      this.calibrated = true;
      this.busyUntil = now + AHT20_INIT_MS;
    } else if (bytes.length === 1 && bytes[0] === AHT20.softReset) {
      this.softResets++;
      this.restart(AHT20_RESET_MS);
    }
  }

  protected onRead(count: number): Uint8Array {
    this.checkAwake('read');
    const now = this.clock.now();
    const busy = now < this.busyUntil - 1e-6;
    if (!busy && this.pendingAt !== null) {
      this.data = this.measure(this.pendingAt);
      this.pendingAt = null;
    }
    const { humidity: h, temperature: t } = this.data;
    const frame = Uint8Array.of(
      (busy ? AHT20_STATUS.busy : 0) | (this.calibrated ? AHT20_STATUS.calibrated : 0),
      h >> 12,
      (h >> 4) & 0xff,
      ((h & 0x0f) << 4) | (t >> 16),
      (t >> 8) & 0xff,
      t & 0xff,
      0,
    );
    frame[6] = crc8(frame, 0, 6);
    const out = new Uint8Array(count).fill(0xff);
    out.set(frame.subarray(0, Math.min(count, frame.length)));
    return out;
  }

  /** Inverts §6.1/§6.2 for the physical inputs at the end of the conversion. */
  private measure(at: number): { humidity: number; temperature: number } {
    if (this.raw) return { humidity: this.raw.humidity, temperature: this.raw.temperature };
    const rh = this.input('humidity', at, 50);
    const t = this.input('temperature', at, 25);
    return { humidity: ticks20((rh / 100) * FULL), temperature: ticks20(((t + 50) / 200) * FULL) };
  }

  private restart(ms: number): void {
    this.calibrated = this.calibratedAtPowerOn;
    this.busyUntil = 0;
    this.pendingAt = null;
    this.data = { humidity: 0, temperature: 0 };
    this.readyAt = this.clock.now() + ms;
  }

  private checkAwake(op: string): void {
    if (this.clock.now() < this.readyAt - 1e-6) throw new IoError('nack', `AHT20 model 0x${this.address.toString(16)}: ${op} NACKed while starting up`);
  }
}
