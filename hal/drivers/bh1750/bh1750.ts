import { IoError } from '../../contracts/errors.js';
import { checkInt, checkObject, checkOneOf } from '../../contracts/check-options.js';
import { checkI2cDriverOptions } from '../driver-support.js';
import type { I2C } from '../../contracts/io.js';
import type { Clock } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';
import { bh1750Lux, bh1750MaxLux, bh1750MaxTimeMs, bh1750MtregCommands, bh1750Raw, bh1750StepLux } from './decode.js';
import { BH1750, BH1750_MTREG, bh1750Command, type Bh1750Mode, type Bh1750Resolution } from './registers.js';

export interface Bh1750Config {
  /** 'continuous' (default) keeps measuring; 'one-time' measures per sample() and powers down in between. */
  mode: Bh1750Mode;
  /** 'high' (1 lx, default), 'high2' (0.5 lx) or 'low' (4 lx, 16 ms). */
  resolution: Bh1750Resolution;
  /** Measurement time register, 31..254 (default 69): more is slower and more sensitive. */
  mtreg: number;
}

export interface Bh1750Options extends Partial<Bh1750Config> {
  i2c: I2C;
  clock: Clock;
}

/** Illuminance in lx. A type alias, not an interface, so it is a Sample (Record<string, number>). */
export type Bh1750Sample = { illuminance: number };

const MODES: readonly Bh1750Mode[] = ['continuous', 'one-time'];
const RESOLUTIONS: readonly Bh1750Resolution[] = ['high', 'high2', 'low'];

/**
 * ROHM BH1750FVI ambient light sensor (Technical Note 2009.04 Rev.B).
 *
 * The chip has no ID register: the constructor powers it on and resets its
 * data register; no ACK there means no chip (IoError 'absent'). Nor has it a
 * data-ready flag, so the driver waits the datasheet's maximum measurement
 * time (scaled by MTreg) before it trusts a result: in continuous mode only
 * until the first conversion after a (re)configure, in one-time mode on
 * every sample. A chip slower than its own maximum cannot be told apart from
 * a dark room (it shows the previous result), so 'timeout' is never thrown.
 *
 * The driver owns the I2C once constructed: close() powers the chip down and
 * closes it. If the constructor throws, the caller still owns the I2C.
 */
export class Bh1750 implements SensorDriver<Bh1750Config, Bh1750Sample> {
  private readonly i2c: I2C;
  private readonly clock: Clock;
  private config: Bh1750Config;
  private readyAt = 0;
  private closed = false;

  constructor(options: Bh1750Options) {
    ({ i2c: this.i2c, clock: this.clock } = checkI2cDriverOptions(options));
    this.config = checkConfig(options, { mode: 'continuous', resolution: 'high', mtreg: BH1750_MTREG.default });
    try {
      this.send(BH1750.powerOn);
    } catch (e) {
      if (e instanceof IoError && e.code === 'nack') {
        throw new IoError('absent', `no BH1750 at 0x${this.i2c.address.toString(16)}: Power On (0x01) was not acknowledged`, { cause: e });
      }
      throw e;
    }
    // Reset is only accepted while powered on (p.5): clears a result left from before.
    this.send(BH1750.reset);
    this.start();
  }

  /** Range and step follow the setting: the full-scale count and one count in lx. */
  get channels(): readonly SensorChannel[] {
    const { resolution, mtreg } = this.config;
    return [{ name: 'illuminance', unit: 'lx', min: 0, max: bh1750MaxLux(resolution, mtreg), resolution: bh1750StepLux(resolution, mtreg) }];
  }

  get settings(): Readonly<Bh1750Config> {
    return { ...this.config };
  }

  configure(options: Partial<Bh1750Config>): void {
    checkObject('options', options);
    const next = checkConfig(options, this.config);
    this.open();
    this.config = next;
    this.start();
  }

  sample(): Bh1750Sample {
    this.open();
    const { mode, resolution, mtreg } = this.config;
    if (mode === 'one-time') {
      // Power On first: after a one-time measurement the chip is powered down (p.5).
      this.send(BH1750.powerOn);
      this.send(bh1750Command('one-time', resolution));
      this.clock.delay(bh1750MaxTimeMs(resolution, mtreg));
    } else {
      const wait = this.readyAt - this.clock.now();
      if (wait > 0) this.clock.delay(wait);
    }
    return { illuminance: bh1750Lux(bh1750Raw(this.i2c.read(2)), resolution, mtreg) };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.send(BH1750.powerDown);
    } catch (e) {
      if (!(e instanceof IoError)) throw e;
    } finally {
      this.i2c.close();
    }
  }

  /** Loads MTreg, then starts continuous measuring or powers down until the next one-time sample. */
  private start(): void {
    const { mode, resolution, mtreg } = this.config;
    // Always both halves: a chip that was not power-cycled keeps an old MTreg.
    const [high, low] = bh1750MtregCommands(mtreg);
    this.send(high);
    this.send(low);
    if (mode === 'continuous') {
      this.send(bh1750Command('continuous', resolution));
      this.readyAt = this.clock.now() + bh1750MaxTimeMs(resolution, mtreg);
    } else {
      this.send(BH1750.powerDown);
    }
  }

  // One opcode per transaction: the chip takes no second byte without a stop (p.10, "Write Format").
  private send(opcode: number): void {
    this.i2c.write(Uint8Array.of(opcode));
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', 'BH1750 used after close');
  }
}

function checkConfig(o: Partial<Bh1750Config>, base: Bh1750Config): Bh1750Config {
  return {
    mode: o.mode === undefined ? base.mode : checkOneOf('mode', o.mode, MODES),
    resolution: o.resolution === undefined ? base.resolution : checkOneOf('resolution', o.resolution, RESOLUTIONS),
    mtreg: o.mtreg === undefined ? base.mtreg : checkInt('mtreg', o.mtreg, BH1750_MTREG.min, BH1750_MTREG.max),
  };
}
