import { IoError } from '../../hal/contracts/errors.js';
import { checkInt } from '../../hal/contracts/check-options.js';
import type { Clock } from '../../hal/contracts/time.js';
import { crc8 } from '../../hal/drivers/crc8.js';
import { SHT3X, SHT3X_MEASURE_MS, SHT3X_RESET_MS, SHT3X_SERIAL_MS, SHT3X_STATUS, type Sht3xRepeatability } from '../../hal/drivers/sht3x/registers.js';
import { I2cDeviceModel } from '../i2c/i2c-device-model.js';

export interface Sht3xModelOptions {
  /** The 32-bit serial number (default 0x0a1b2c3d). */
  serial?: number;
  /** How much warmer the die reads with the heater on; the datasheet says only "a few degrees" (§4.10). */
  heaterRiseC?: number;
}

interface Pending {
  readyAt: number;
  /** Clock stretching: a read while busy holds SCL (advances the clock) instead of NACKing. */
  stretch: boolean;
  /** Fixed answer (serial, status); null = a measurement taken at readyAt. */
  words: number[] | null;
}

const MEASURE: Record<number, { repeatability: Sht3xRepeatability; stretch: boolean }> = {
  [SHT3X.measureHigh]: { repeatability: 'high', stretch: false },
  [SHT3X.measureMedium]: { repeatability: 'medium', stretch: false },
  [SHT3X.measureLow]: { repeatability: 'low', stretch: false },
  [SHT3X.measureHighStretch]: { repeatability: 'high', stretch: true },
  [SHT3X.measureMediumStretch]: { repeatability: 'medium', stretch: true },
  [SHT3X.measureLowStretch]: { repeatability: 'low', stretch: true },
};

const CLEARABLE = SHT3X_STATUS.alertPending | SHT3X_STATUS.humidityAlert | SHT3X_STATUS.temperatureAlert | SHT3X_STATUS.resetDetected;

function ticks(x: number): number {
  return Math.min(65535, Math.max(0, Math.round(x)));
}

/**
 * An SHT3x at command level: single-shot measurements that NACK reads until
 * the datasheet's maximum duration has passed (or stretch the clock), data
 * cleared once read, serial number, status word, heater, soft reset, and a
 * CRC-8 after every word sent. Periodic mode and alerts are not modelled:
 * those commands set the status's command-failed bit like any unknown one.
 */
export class Sht3xModel extends I2cDeviceModel {
  serial: number;
  heaterRiseC: number;
  status: number = SHT3X_STATUS.powerOn;
  /** Soft resets received, and the last valid command, for tests. */
  softResets = 0;
  lastCommand: number | null = null;
  private bootUntil = 0;
  private pending: Pending | null = null;
  private raw: { temperature: number; humidity: number } | null = null;

  constructor(address: number, clock: Clock, options: Sht3xModelOptions = {}) {
    super(address, clock);
    // Options may come unchecked from a scenario file.
    this.serial = options.serial === undefined ? 0x0a1b2c3d : checkInt('serial', options.serial, 0, 0xffffffff);
    if (options.heaterRiseC !== undefined && typeof options.heaterRiseC !== 'number') throw new TypeError('heaterRiseC must be a number');
    this.heaterRiseC = options.heaterRiseC ?? 5;
    this.reset();
  }

  reset(): void {
    this.status = SHT3X_STATUS.powerOn;
    this.pending = null;
    this.bootUntil = this.clock.now() + SHT3X_RESET_MS;
  }

  /** Back door: every following measurement returns these raw ticks (null restores the physical inputs). */
  setRaw(temperatureTicks: number | null, humidityTicks = 0): void {
    this.raw = temperatureTicks === null ? null : { temperature: temperatureTicks, humidity: humidityTicks };
  }

  get heaterOn(): boolean {
    return (this.status & SHT3X_STATUS.heaterOn) !== 0;
  }

  protected onWrite(bytes: Uint8Array): void {
    this.checkAwake('write');
    if (bytes.length === 0) return; // address probe
    const cmd = bytes.length >= 2 ? (bytes[0] << 8) | bytes[1] : -1;
    const now = this.clock.now();
    const m = MEASURE[cmd];
    if (m) {
      this.pending = { readyAt: now + SHT3X_MEASURE_MS[m.repeatability] + this.extraConversionMs, stretch: m.stretch, words: null };
    } else if (cmd === SHT3X.serial || cmd === SHT3X.serialStretch) {
      this.pending = { readyAt: now + SHT3X_SERIAL_MS, stretch: cmd === SHT3X.serialStretch, words: [this.serial >>> 16, this.serial & 0xffff] };
    } else if (cmd === SHT3X.readStatus) {
      this.pending = { readyAt: now, stretch: false, words: [this.status] };
    } else if (cmd === SHT3X.clearStatus) {
      this.status &= ~CLEARABLE;
    } else if (cmd === SHT3X.heaterOn) {
      this.status |= SHT3X_STATUS.heaterOn;
    } else if (cmd === SHT3X.heaterOff) {
      this.status &= ~SHT3X_STATUS.heaterOn;
    } else if (cmd === SHT3X.softReset) {
      this.softResets++;
      this.reset();
    } else {
      this.status |= SHT3X_STATUS.commandFailed; // acknowledged but not processed
      return;
    }
    this.lastCommand = cmd;
    if (cmd !== SHT3X.readStatus) this.status &= ~SHT3X_STATUS.commandFailed;
  }

  protected onRead(count: number): Uint8Array {
    this.checkAwake('read');
    const p = this.pending;
    if (!p) throw new IoError('nack', `SHT3x model 0x${this.address.toString(16)}: read NACKed, no data pending`);
    const now = this.clock.now();
    if (now < p.readyAt - 1e-6) {
      if (!p.stretch) throw new IoError('nack', `SHT3x model 0x${this.address.toString(16)}: read NACKed, still measuring`);
      this.clock.delay(p.readyAt - now);
    }
    this.pending = null; // data is read once
    const words = p.words ?? this.measure(p.readyAt);
    const out = new Uint8Array(count).fill(0xff);
    for (let i = 0; i < words.length && i * 3 < count; i++) {
      const w = Uint8Array.of(words[i] >> 8, words[i] & 0xff);
      out.set(w.subarray(0, Math.min(2, count - i * 3)), i * 3);
      if (i * 3 + 2 < count) out[i * 3 + 2] = crc8(w);
    }
    return out;
  }

  /** Inverts §4.13 for the physical inputs at the end of the conversion. */
  private measure(at: number): number[] {
    if (this.raw) return [this.raw.temperature, this.raw.humidity];
    const t = this.input('temperature', at, 25) + (this.heaterOn ? this.heaterRiseC : 0);
    const rh = this.input('humidity', at, 50);
    return [ticks(((t + 45) * 65535) / 175), ticks((rh * 65535) / 100)];
  }

  private checkAwake(op: string): void {
    if (this.clock.now() < this.bootUntil - 1e-6) throw new IoError('nack', `SHT3x model 0x${this.address.toString(16)}: ${op} NACKed during reset`);
  }
}
