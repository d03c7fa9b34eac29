import { checkInt } from '../../contracts/check-options.js';
import type { Digital, DigitalOptions } from '../../contracts/io.js';
import { checkBoolean } from '../driver-support.js';
import { firstAccess, PinDriver, type PinDriverOptions } from '../pin-driver.js';

export interface DigitalOutputConfig {
  /** On drives 0 (an LED to VCC, most relay boards). Changing it keeps the on/off state. */
  activeLow: boolean;
}

export interface DigitalOutputEvent {
  type: 'on' | 'off';
  /** ms since the epoch, from the injected time. */
  time: number;
}

export interface DigitalOutputOptions extends Partial<DigitalOutputConfig>, PinDriverOptions<DigitalOutputEvent> {
  openDigital: (options: DigitalOptions) => Digital;
  /** The state driven at construction, so a relay never starts undefined (default false: off). */
  initial?: boolean;
  /** Open-drain output: on/off pulls the line low or releases it. */
  openDrain?: boolean;
}

export type DigitalOutputSample = { on: boolean };

/**
 * An LED, relay or any on/off load on a GPIO. The logical state (on/off) is
 * mapped to a level through activeLow; the pin is driven at construction to
 * `initial`. Events report changes only. pulse(ms) turns the load on for a
 * while (a door strike, a blink), using the injected timers.
 */
export class DigitalOutput extends PinDriver<DigitalOutputConfig, DigitalOutputSample, DigitalOutputEvent> {
  protected config: DigitalOutputConfig;
  private readonly digital: Digital;
  private state: boolean;
  private readonly pulseTimer = this.oneShot();

  constructor(options: DigitalOutputOptions) {
    super({ what: 'digital output', channel: 'on', opener: 'openDigital' }, options);
    this.config = this.checkConfig(options, { activeLow: false });
    this.state = options.initial === undefined ? false : checkBoolean('initial', options.initial);
    const openDrain = options.openDrain === undefined ? false : checkBoolean('openDrain', options.openDrain);
    this.digital = options.openDigital({ pin: this.pin, mode: openDrain ? 'output-opendrain' : 'output' });
    firstAccess(this.digital, () => this.drive());
  }

  get isOn(): boolean {
    this.open();
    return this.state;
  }

  on(): void {
    this.set(true);
  }

  off(): void {
    this.set(false);
  }

  toggle(): void {
    this.open();
    this.set(!this.state);
  }

  /** Sets the state; a pending pulse is cancelled (the caller's word is the last). */
  set(on: boolean): void {
    this.open();
    checkBoolean('on', on);
    this.pulseTimer.cancel();
    this.change(on);
  }

  /** On now, off after `ms`. */
  pulse(ms: number): void {
    this.open();
    checkInt('ms', ms, 1, 86_400_000);
    this.set(true);
    this.pulseTimer.start(ms, () => this.change(false));
  }

  protected checkConfig(o: Partial<DigitalOutputConfig>, base: DigitalOutputConfig): DigitalOutputConfig {
    return { activeLow: o.activeLow === undefined ? base.activeLow : checkBoolean('activeLow', o.activeLow) };
  }

  /** A new activeLow keeps the on/off state: the pin is driven to its new level. */
  protected override configured(): void {
    this.drive();
  }

  protected current(): DigitalOutputSample {
    return { on: this.state };
  }

  /** Releases the pin, leaving its last level (as ECMA-419's close does); a pending pulse was cancelled. */
  protected release(): void {
    this.digital.close();
  }

  private change(on: boolean): void {
    const was = this.state;
    this.state = on;
    this.drive();
    if (on !== was) this.emit({ type: on ? 'on' : 'off', time: this.time.now() });
  }

  private drive(): void {
    this.digital.write(this.state !== this.config.activeLow ? 1 : 0);
  }
}
