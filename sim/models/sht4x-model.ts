import { IoError } from '../../hal/contracts/errors.js';
import { checkInt } from '../../hal/contracts/check-options.js';
import type { Clock } from '../../hal/contracts/time.js';
import { crc8 } from '../../hal/drivers/crc8.js';
import { SHT4X, SHT4X_HEATER, SHT4X_MEASURE_MS, SHT4X_RESET_MS, SHT4X_SERIAL_MS } from '../../hal/drivers/sht4x/registers.js';
import { I2cDeviceModel } from '../i2c/i2c-device-model.js';

export interface Sht4xModelOptions {
  /** The 32-bit serial number (default 0x0c0ffee0). */
  serial?: number;
}

interface Pending {
  readyAt: number;
  /** Fixed answer (serial); null = a measurement taken at readyAt. */
  words: number[] | null;
  /** How much warmer than the room the die is when measured. */
  dieRise: number;
}

const MEASURE: Record<number, number> = {
  [SHT4X.measureHigh]: SHT4X_MEASURE_MS.high,
  [SHT4X.measureMedium]: SHT4X_MEASURE_MS.medium,
  [SHT4X.measureLow]: SHT4X_MEASURE_MS.low,
};

/**
 * The die's thermal response to the heater, first order. The datasheet gives
 * no figures for it: these are model assumptions (about +38 K after 200 mW
 * for 1 s, cooling back with a 1 s time constant).
 */
const KELVIN_PER_MW = 0.3;
const TAU_MS = 1000;

function ticks(x: number): number {
  return Math.min(65535, Math.max(0, Math.round(x)));
}

/** Saturation vapour pressure over water (Magnus, Sensirion's constants), hPa. */
function saturation(t: number): number {
  return 6.112 * Math.exp((17.62 * t) / (243.12 + t));
}

/**
 * An SHT4x at command level: measurements and heater commands that NACK
 * reads until the datasheet's maximum duration has passed, data cleared once
 * read, serial number, soft reset, and a CRC-8 after every word sent. Unknown
 * commands are acknowledged and ignored (nothing to read afterwards).
 */
export class Sht4xModel extends I2cDeviceModel {
  serial: number;
  /** Soft resets received, and the last command, for tests. */
  softResets = 0;
  lastCommand: number | null = null;
  private bootUntil = 0;
  private pending: Pending | null = null;
  private raw: { temperature: number; humidity: number } | null = null;
  // The die's excess temperature over the room: `heatRise` K at `heatEnd`, decaying after.
  private heatRise = 0;
  private heatEnd = 0;

  constructor(address: number, clock: Clock, options: Sht4xModelOptions = {}) {
    super(address, clock);
    // Options may come unchecked from a scenario file.
    this.serial = options.serial === undefined ? 0x0c0ffee0 : checkInt('serial', options.serial, 0, 0xffffffff);
    this.reset();
  }

  reset(): void {
    this.pending = null;
    this.bootUntil = this.clock.now() + SHT4X_RESET_MS;
  }

  /** Back door: every following measurement returns these raw ticks (null restores the physical inputs). */
  setRaw(temperatureTicks: number | null, humidityTicks = 0): void {
    this.raw = temperatureTicks === null ? null : { temperature: temperatureTicks, humidity: humidityTicks };
  }

  /** How much warmer than the room the die is at `at` (heater residue). */
  dieRiseAt(at: number): number {
    return at <= this.heatEnd ? this.heatRise : this.heatRise * Math.exp(-(at - this.heatEnd) / TAU_MS);
  }

  protected onWrite(bytes: Uint8Array): void {
    if (this.clock.now() < this.bootUntil - 1e-6) throw new IoError('nack', `SHT4x model 0x${this.address.toString(16)}: write NACKed during reset`);
    if (bytes.length === 0) return; // address probe
    const cmd = bytes[0];
    const now = this.clock.now();
    const heater = SHT4X_HEATER[cmd];
    if (MEASURE[cmd] !== undefined) {
      const readyAt = now + MEASURE[cmd] + this.extraConversionMs;
      this.pending = { readyAt, words: null, dieRise: this.dieRiseAt(readyAt) };
    } else if (heater) {
      // First order: the residue decays while the heater drives toward P·R.
      const k = Math.exp(-heater.onMs / TAU_MS);
      this.heatRise = this.dieRiseAt(now) * k + heater.powerMw * KELVIN_PER_MW * (1 - k);
      this.heatEnd = now + heater.onMs;
      this.pending = { readyAt: now + heater.maxMs + this.extraConversionMs, words: null, dieRise: this.heatRise };
    } else if (cmd === SHT4X.serial) {
      this.pending = { readyAt: now + SHT4X_SERIAL_MS, words: [this.serial >>> 16, this.serial & 0xffff], dieRise: 0 };
    } else if (cmd === SHT4X.softReset) {
      this.softResets++;
      this.reset();
    } else {
      return;
    }
    this.lastCommand = cmd;
  }

  protected onRead(count: number): Uint8Array {
    const p = this.pending;
    const now = this.clock.now();
    if (!p || now < p.readyAt - 1e-6 || now < this.bootUntil - 1e-6) {
      throw new IoError('nack', `SHT4x model 0x${this.address.toString(16)}: read NACKed, ${p ? 'still busy' : 'no data pending'}`);
    }
    this.pending = null; // data is read once
    const words = p.words ?? this.measure(p.readyAt, p.dieRise);
    const out = new Uint8Array(count).fill(0xff);
    for (let i = 0; i < words.length && i * 3 < count; i++) {
      const w = Uint8Array.of(words[i] >> 8, words[i] & 0xff);
      out.set(w.subarray(0, Math.min(2, count - i * 3)), i * 3);
      if (i * 3 + 2 < count) out[i * 3 + 2] = crc8(w);
    }
    return out;
  }

  /** Inverts §4.6 for the die: the room's temperature plus heater residue, and the RH that air has at the die's temperature. */
  private measure(at: number, rise: number): number[] {
    if (this.raw) return [this.raw.temperature, this.raw.humidity];
    const room = this.input('temperature', at, 25);
    const die = room + rise;
    const rh = (this.input('humidity', at, 50) * saturation(room)) / saturation(die);
    return [ticks(((die + 45) * 65535) / 175), ticks(((rh + 6) * 65535) / 125)];
  }
}
