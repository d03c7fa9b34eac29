import { checkInt } from '../../contracts/check-options.js';
import type { Digital, DigitalOptions } from '../../contracts/io.js';
import { firstAccess, PinDriver, type PinDriverOptions } from '../pin-driver.js';

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

export interface PirOptions extends Partial<PirConfig>, PinDriverOptions<PirEvent> {
  openDigital: (options: DigitalOptions) => Digital;
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
export class Pir extends PinDriver<PirConfig, PirSample, PirEvent> {
  protected config: PirConfig;
  private readonly digital: Digital;
  private high: boolean;
  private motion: boolean;
  private readonly holdTimer = this.oneShot();

  constructor(options: PirOptions) {
    super({ what: 'PIR', channel: 'motion', opener: 'openDigital' }, options);
    this.config = this.checkConfig(options, { holdMs: 0, debounceMs: 0 });
    this.digital = this.openInput(
      options.openDigital,
      'input-pulldown',
      () => this.config.debounceMs,
      () => this.accept(),
    );
    this.high = firstAccess(this.digital, () => this.digital.read() === 1);
    this.motion = this.high;
  }

  protected checkConfig(o: Partial<PirConfig>, base: PirConfig): PirConfig {
    return {
      holdMs: o.holdMs === undefined ? base.holdMs : checkInt('holdMs', o.holdMs, 0, MAX_MS),
      debounceMs: o.debounceMs === undefined ? base.debounceMs : checkInt('debounceMs', o.debounceMs, 0, 60_000),
    };
  }

  protected current(): PirSample {
    return { motion: this.motion };
  }

  protected release(): void {
    this.digital.close();
  }

  private accept(): void {
    const high = this.digital.read() === 1;
    if (high === this.high) return;
    this.high = high;
    if (high) {
      this.holdTimer.cancel(); // retrigger: the hold starts again at the next falling edge
      if (!this.motion) this.set(true);
    } else if (this.config.holdMs === 0) {
      this.set(false);
    } else {
      this.holdTimer.start(this.config.holdMs, () => this.set(false));
    }
  }

  private set(motion: boolean): void {
    if (motion === this.motion) return;
    this.motion = motion;
    this.emit({ type: motion ? 'motion-start' : 'motion-end', time: this.time.now() });
  }
}
