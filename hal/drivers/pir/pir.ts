import { IoError } from '../../contracts/errors.js';
import { checkFunction, checkInt, checkObject } from '../../contracts/check-options.js';
import type { Digital, DigitalOptions } from '../../contracts/io.js';
import type { HalTime, TimerId } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';

export interface PirConfig {
  /** Motion stays true until the output has been low this long (retriggerable; default 0: follow the output). */
  holdMs: number;
  /** A level must stay this long to count: filters glitches on long wires (default 0: none). */
  debounceMs: number;
}

export interface PirEvent {
  type: 'motion-start' | 'motion-end';
  /** ms since the epoch, from the injected time. */
  time: number;
}

export interface PirOptions extends Partial<PirConfig> {
  pin: number;
  openDigital: (options: DigitalOptions) => Digital;
  time: HalTime;
  onEvent?: (event: PirEvent) => void;
}

export type PirSample = { motion: boolean };

const MAX_MS = 3_600_000;

/**
 * A PIR motion sensor with a digital output (HC-SR501, AM312, …): the
 * output is high while the module reports motion. The module has its own
 * hold time; holdMs adds a retriggerable hold on top, so short gaps between
 * triggers do not end the motion. Edges arrive through the Digital's
 * onReadable; the pin is pulled down so an unplugged module reads "no
 * motion". A module already high at construction counts as motion, without
 * a motion-start event.
 */
export class Pir implements SensorDriver<PirConfig, PirSample> {
  readonly channels: readonly SensorChannel[] = [{ name: 'motion', min: 0, max: 1, resolution: 1 }];
  private readonly time: HalTime;
  private readonly digital: Digital;
  private readonly onEvent: ((event: PirEvent) => void) | undefined;
  private config: PirConfig;
  private high: boolean;
  private motion: boolean;
  private debounceTimer: TimerId | undefined;
  private holdTimer: TimerId | undefined;
  private closed = false;

  constructor(options: PirOptions) {
    checkObject('options', options);
    const pin = checkInt('pin', options.pin, 0, 255);
    checkFunction('openDigital', options.openDigital);
    checkTime(options.time);
    if (options.onEvent !== undefined) checkFunction('onEvent', options.onEvent);
    this.config = checkConfig(options, { holdMs: 0, debounceMs: 0 });
    this.time = options.time;
    this.onEvent = options.onEvent;
    this.digital = options.openDigital({ pin, mode: 'input-pulldown', edge: 'both', onReadable: () => this.edge() });
    try {
      this.high = this.digital.read() === 1;
    } catch (e) {
      this.digital.close();
      throw e;
    }
    this.motion = this.high;
  }

  configure(options: Partial<PirConfig>): void {
    checkObject('options', options);
    const next = checkConfig(options, this.config);
    this.open();
    this.config = next;
  }

  sample(): PirSample {
    this.open();
    return { motion: this.motion };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancel('debounceTimer');
    this.cancel('holdTimer');
    this.digital.close();
  }

  private edge(): void {
    if (this.closed) return;
    if (this.config.debounceMs === 0) return this.accept();
    // Restart on every edge: the level counts once it has held debounceMs.
    this.cancel('debounceTimer');
    this.debounceTimer = this.time.setTimeout(() => {
      this.debounceTimer = undefined;
      this.accept();
    }, this.config.debounceMs);
  }

  private accept(): void {
    const high = this.digital.read() === 1;
    if (high === this.high) return;
    this.high = high;
    if (high) {
      this.cancel('holdTimer'); // retrigger: the hold starts again at the next falling edge
      if (!this.motion) this.set(true);
    } else if (this.config.holdMs === 0) {
      this.set(false);
    } else {
      this.holdTimer = this.time.setTimeout(() => {
        this.holdTimer = undefined;
        this.set(false);
      }, this.config.holdMs);
    }
  }

  private set(motion: boolean): void {
    if (motion === this.motion) return;
    this.motion = motion;
    if (this.onEvent) this.onEvent({ type: motion ? 'motion-start' : 'motion-end', time: this.time.now() });
  }

  private cancel(which: 'debounceTimer' | 'holdTimer'): void {
    const id = this[which];
    if (id !== undefined) this.time.clearTimeout(id);
    this[which] = undefined;
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', 'PIR used after close');
  }
}

function checkConfig(o: Partial<PirConfig>, base: PirConfig): PirConfig {
  return {
    holdMs: o.holdMs === undefined ? base.holdMs : checkInt('holdMs', o.holdMs, 0, MAX_MS),
    debounceMs: o.debounceMs === undefined ? base.debounceMs : checkInt('debounceMs', o.debounceMs, 0, 60_000),
  };
}

function checkTime(time: unknown): void {
  checkObject('time', time);
  checkFunction('time.now', time.now);
  checkFunction('time.setTimeout', time.setTimeout);
  checkFunction('time.clearTimeout', time.clearTimeout);
}
