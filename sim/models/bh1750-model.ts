import { IoError } from '../../hal/contracts/errors.js';
import { bh1750StepLux, bh1750TypTimeMs } from '../../hal/drivers/bh1750/decode.js';
import { BH1750, BH1750_COUNTS_PER_LX, BH1750_MTREG, type Bh1750Resolution } from '../../hal/drivers/bh1750/registers.js';
import type { Clock } from '../../hal/contracts/time.js';
import { I2cDeviceModel } from '../i2c/i2c-device-model.js';

interface Measurement {
  continuous: boolean;
  resolution: Bh1750Resolution;
  /** MTreg latched when the measurement command arrived. */
  mtreg: number;
  start: number;
  periodMs: number;
  /** Conversions completed so far. */
  done: number;
}

export type Bh1750PowerState = 'down' | 'on' | 'measuring';

/**
 * The BH1750FVI at opcode level (Technical Note Rev.B, p.5 "Instruction Set
 * Architecture"). Physical input: the 'illuminance' signal in lx, read when
 * a conversion completes, turned into counts as the chip does (1.2 counts
 * per lx × MTreg / 69, doubled in H-resolution mode2).
 *
 * Datasheet behaviour modelled: starts powered down with the data register
 * 0; Reset clears the data register and is ignored in Power Down; a
 * conversion takes the typical time (120 / 16 ms) × MTreg / 69 plus any
 * slow(ms); continuous modes update the data register at the end of every
 * conversion; one-time modes update it once and power down. A read returns
 * the data register, so reading early gives 0 after power-up or Reset, and
 * the previous result otherwise.
 *
 * Model choices the datasheet leaves open: a measurement command is accepted
 * in Power Down too (widely relied on for one-time reads); a new MTreg takes
 * effect with the next measurement command; a write of more than one byte
 * NACKs (p.10 asks for a stop after every opcode); unknown opcodes are
 * ignored; L-resolution results are quantised to 4 lx × 69 / MTreg.
 */
export class Bh1750Model extends I2cDeviceModel {
  private power: 'down' | 'on' = 'down';
  private data = 0;
  private mt: number = BH1750_MTREG.default;
  private measuring: Measurement | null = null;
  private raw: number | null = null;
  /** The last opcodes received (at most 64), for tests. */
  readonly commands: number[] = [];

  constructor(clock: Clock, address: number = BH1750.addressLow) {
    super(address, clock);
    this.reset();
  }

  reset(): void {
    this.power = 'down';
    this.data = 0;
    this.mt = BH1750_MTREG.default;
    this.measuring = null;
  }

  // ---- test back door ----

  /** Every conversion from now on yields `count` (null: back to the 'illuminance' input); the data register takes it at once. */
  setRaw(count: number | null): void {
    if (count !== null && !(Number.isInteger(count) && count >= 0 && count <= 0xffff)) throw new RangeError(`count must be 0..65535, got ${count}`);
    this.raw = count;
    if (count !== null) this.data = count;
  }

  get state(): Bh1750PowerState {
    this.settle();
    return this.measuring ? 'measuring' : this.power;
  }

  get mtreg(): number {
    return this.mt;
  }

  /** The data register now (what a read would return). */
  get dataRegister(): number {
    this.settle();
    return this.data;
  }

  // ---- the chip ----

  protected onWrite(bytes: Uint8Array): void {
    if (bytes.length !== 1) throw new IoError('nack', `BH1750 takes one opcode per transaction, got ${bytes.length} bytes`);
    this.settle();
    const op = bytes[0];
    this.commands.push(op);
    if (this.commands.length > 64) this.commands.shift();
    if (op === BH1750.powerDown) {
      this.power = 'down';
      this.measuring = null;
    } else if (op === BH1750.powerOn) {
      this.power = 'on';
    } else if (op === BH1750.reset) {
      if (this.power === 'on') this.data = 0;
    } else if ((op & 0xf8) === BH1750.mtregHigh) {
      this.mt = ((op & 0x07) << 5) | (this.mt & 0x1f);
    } else if ((op & 0xe0) === BH1750.mtregLow) {
      this.mt = (this.mt & 0xe0) | (op & 0x1f);
    } else {
      const resolution = RESOLUTION_OF[op & 0x0f];
      const kind = op & 0xf0;
      if (resolution === undefined || (kind !== 0x10 && kind !== 0x20)) return; // not an opcode of this chip
      this.power = 'on';
      const now = this.clock.now();
      this.measuring = {
        continuous: kind === 0x10,
        resolution,
        mtreg: this.mt,
        start: now,
        periodMs: bh1750TypTimeMs(resolution, this.mt) + this.extraConversionMs,
        done: 0,
      };
    }
  }

  protected onRead(count: number): Uint8Array {
    this.settle();
    const out = new Uint8Array(count).fill(0xff);
    out[0] = this.data >> 8;
    if (count > 1) out[1] = this.data & 0xff;
    return out;
  }

  /** Brings the data register up to now: conversions are computed when someone looks. */
  private settle(): void {
    const m = this.measuring;
    if (!m) return;
    const now = this.clock.now();
    if (m.continuous) {
      const k = Math.floor((now - m.start) / m.periodMs);
      if (k > m.done) {
        m.done = k;
        this.data = this.convert(m, m.start + k * m.periodMs);
      }
    } else if (now >= m.start + m.periodMs) {
      this.data = this.convert(m, m.start + m.periodMs);
      this.measuring = null;
      this.power = 'down';
    }
  }

  private convert(m: Measurement, at: number): number {
    if (this.raw !== null) return this.raw;
    let lux = Math.max(0, this.input('illuminance', at, 0));
    if (m.resolution === 'low') {
      const step = bh1750StepLux('low', m.mtreg);
      lux = Math.round(lux / step) * step;
    }
    const perLux = BH1750_COUNTS_PER_LX * (m.mtreg / BH1750_MTREG.default) * (m.resolution === 'high2' ? 2 : 1);
    return Math.min(0xffff, Math.round(lux * perLux));
  }
}

const RESOLUTION_OF: Record<number, Bh1750Resolution | undefined> = { 0x0: 'high', 0x1: 'high2', 0x3: 'low' };
