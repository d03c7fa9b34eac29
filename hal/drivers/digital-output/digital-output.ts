import { IoError } from '../../contracts/errors.js';
import { checkFunction, checkInt, checkObject } from '../../contracts/check-options.js';
import type { Digital, DigitalOptions } from '../../contracts/io.js';
import type { HalTime, TimerId } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';

export interface DigitalOutputConfig {
  /** On drives 0 (an LED to VCC, most relay boards). Changing it keeps the on/off state. */
  activeLow: boolean;
}

export interface DigitalOutputEvent {
  type: 'on' | 'off';
  /** ms since the epoch, from the injected time. */
  time: number;
}

export interface DigitalOutputOptions extends Partial<DigitalOutputConfig> {
  pin: number;
  openDigital: (options: DigitalOptions) => Digital;
  time: HalTime;
  /** The state driven at construction, so a relay never starts undefined (default false: off). */
  initial?: boolean;
  /** Open-drain output: on/off pulls the line low or releases it. */
  openDrain?: boolean;
  onEvent?: (event: DigitalOutputEvent) => void;
}

export type DigitalOutputSample = { on: boolean };

/**
 * An LED, relay or any on/off load on a GPIO. The logical state (on/off) is
 * mapped to a level through activeLow; the pin is driven at construction to
 * `initial`. Events report changes only. pulse(ms) turns the load on for a
 * while (a door strike, a blink), using the injected timers.
 */
export class DigitalOutput implements SensorDriver<DigitalOutputConfig, DigitalOutputSample> {
  readonly channels: readonly SensorChannel[] = [{ name: 'on', min: 0, max: 1, resolution: 1 }];
  private readonly time: HalTime;
  private readonly digital: Digital;
  private readonly onEvent: ((event: DigitalOutputEvent) => void) | undefined;
  private activeLow: boolean;
  private state: boolean;
  private pulseTimer: TimerId | undefined;
  private closed = false;

  constructor(options: DigitalOutputOptions) {
    checkObject('options', options);
    const pin = checkInt('pin', options.pin, 0, 255);
    checkFunction('openDigital', options.openDigital);
    checkObject('time', options.time);
    checkFunction('time.now', options.time.now);
    checkFunction('time.setTimeout', options.time.setTimeout);
    checkFunction('time.clearTimeout', options.time.clearTimeout);
    if (options.onEvent !== undefined) checkFunction('onEvent', options.onEvent);
    this.activeLow = options.activeLow === undefined ? false : checkBoolean('activeLow', options.activeLow);
    this.state = options.initial === undefined ? false : checkBoolean('initial', options.initial);
    const openDrain = options.openDrain === undefined ? false : checkBoolean('openDrain', options.openDrain);
    this.time = options.time;
    this.onEvent = options.onEvent;
    this.digital = options.openDigital({ pin, mode: openDrain ? 'output-opendrain' : 'output' });
    try {
      this.drive();
    } catch (e) {
      this.digital.close();
      throw e;
    }
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
    this.cancelPulse();
    this.change(on);
  }

  /** On now, off after `ms`. */
  pulse(ms: number): void {
    this.open();
    checkInt('ms', ms, 1, 86_400_000);
    this.set(true);
    this.pulseTimer = this.time.setTimeout(() => {
      this.pulseTimer = undefined;
      if (!this.closed) this.change(false);
    }, ms);
  }

  configure(options: Partial<DigitalOutputConfig>): void {
    checkObject('options', options);
    const activeLow = options.activeLow === undefined ? this.activeLow : checkBoolean('activeLow', options.activeLow);
    this.open();
    this.activeLow = activeLow;
    this.drive();
  }

  sample(): DigitalOutputSample {
    this.open();
    return { on: this.state };
  }

  /** Stops a pending pulse and releases the pin, leaving its last level (as ECMA-419's close does). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelPulse();
    this.digital.close();
  }

  private change(on: boolean): void {
    const was = this.state;
    this.state = on;
    this.drive();
    if (on !== was && this.onEvent) this.onEvent({ type: on ? 'on' : 'off', time: this.time.now() });
  }

  private drive(): void {
    this.digital.write(this.state !== this.activeLow ? 1 : 0);
  }

  private cancelPulse(): void {
    if (this.pulseTimer !== undefined) this.time.clearTimeout(this.pulseTimer);
    this.pulseTimer = undefined;
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', 'digital output used after close');
  }
}

function checkBoolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof v}`);
  return v;
}
