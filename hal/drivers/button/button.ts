import { IoError } from '../../contracts/errors.js';
import { checkFunction, checkInt, checkObject, checkOneOf } from '../../contracts/check-options.js';
import type { Digital, DigitalMode, DigitalOptions } from '../../contracts/io.js';
import type { HalTime, TimerId } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';

export interface ButtonConfig {
  /** The line must be quiet this long before a change counts (default 30 ms): contact chatter is ignored. */
  debounceMs: number;
  /** Held this long: 'long-press', and no click on release (default 800 ms; 0: never). */
  longPressMs: number;
  /** A click ending within this long after the previous click's end is also a 'double-click' (default 400 ms; 0: never). */
  doubleClickMs: number;
}

export type ButtonEventType = 'press' | 'release' | 'click' | 'long-press' | 'double-click';

export interface ButtonEvent {
  type: ButtonEventType;
  /** ms since the epoch, when the (debounced) change was accepted. */
  time: number;
  /** How long the button was held: on release, click and long-press. */
  durationMs?: number;
}

export type ButtonPull = 'up' | 'down' | 'none';

export interface ButtonOptions extends Partial<ButtonConfig> {
  pin: number;
  openDigital: (options: DigitalOptions) => Digital;
  time: HalTime;
  /** Pressed reads 0: a button to ground (default true). */
  activeLow?: boolean;
  /** The pin's pull (default 'up' when activeLow, else 'down'); 'none' for an external resistor. */
  pull?: ButtonPull;
  onEvent?: (event: ButtonEvent) => void;
}

export type ButtonSample = { pressed: boolean };

const PULLS: readonly ButtonPull[] = ['up', 'down', 'none'];
const PULL_MODE: Record<ButtonPull, DigitalMode> = { up: 'input-pullup', down: 'input-pulldown', none: 'input' };

/**
 * A push button on a GPIO. Debouncing waits for the line to stay quiet for
 * debounceMs after its last edge, then takes the level: chatter of any length
 * becomes one press or release, reported debounceMs after the contacts
 * settle. A press then release is a 'click' unless it became a 'long-press';
 * a second click soon after the first is also a 'double-click' (the first
 * click is still reported: nothing is delayed to wait for a second one). A
 * button already held at construction counts as pressed, without events,
 * and its release is no click.
 */
export class Button implements SensorDriver<ButtonConfig, ButtonSample> {
  readonly channels: readonly SensorChannel[] = [{ name: 'pressed', min: 0, max: 1, resolution: 1 }];
  private readonly time: HalTime;
  private readonly digital: Digital;
  private readonly activeLow: boolean;
  private readonly onEvent: ((event: ButtonEvent) => void) | undefined;
  private config: ButtonConfig;
  private pressed: boolean;
  /** When the current press was accepted (undefined: held since construction). */
  private pressedAt: number | undefined;
  private clickable = false;
  private lastClickAt: number | undefined;
  private debounceTimer: TimerId | undefined;
  private longTimer: TimerId | undefined;
  private closed = false;

  constructor(options: ButtonOptions) {
    checkObject('options', options);
    const pin = checkInt('pin', options.pin, 0, 255);
    checkFunction('openDigital', options.openDigital);
    checkTime(options.time);
    if (options.onEvent !== undefined) checkFunction('onEvent', options.onEvent);
    if (options.activeLow !== undefined && typeof options.activeLow !== 'boolean') throw new TypeError('activeLow must be a boolean');
    this.activeLow = options.activeLow !== false;
    const pull = options.pull === undefined ? (this.activeLow ? 'up' : 'down') : checkOneOf('pull', options.pull, PULLS);
    this.config = checkConfig(options, { debounceMs: 30, longPressMs: 800, doubleClickMs: 400 });
    this.time = options.time;
    this.onEvent = options.onEvent;
    this.digital = options.openDigital({ pin, mode: PULL_MODE[pull], edge: 'both', onReadable: () => this.edge() });
    try {
      this.pressed = this.level();
    } catch (e) {
      this.digital.close();
      throw e;
    }
  }

  configure(options: Partial<ButtonConfig>): void {
    checkObject('options', options);
    const next = checkConfig(options, this.config);
    this.open();
    this.config = next;
  }

  sample(): ButtonSample {
    this.open();
    return { pressed: this.pressed };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancel('debounceTimer');
    this.cancel('longTimer');
    this.digital.close();
  }

  private level(): boolean {
    return (this.digital.read() === 0) === this.activeLow;
  }

  private edge(): void {
    if (this.closed) return;
    if (this.config.debounceMs === 0) return this.accept();
    this.cancel('debounceTimer');
    this.debounceTimer = this.time.setTimeout(() => {
      this.debounceTimer = undefined;
      this.accept();
    }, this.config.debounceMs);
  }

  private accept(): void {
    const pressed = this.level();
    if (pressed === this.pressed) return; // chatter that ended where it began
    this.pressed = pressed;
    const now = this.time.now();
    if (pressed) {
      this.pressedAt = now;
      this.clickable = true;
      this.emit('press', now);
      if (this.config.longPressMs > 0) {
        this.longTimer = this.time.setTimeout(() => {
          this.longTimer = undefined;
          this.clickable = false;
          this.emit('long-press', this.time.now(), this.config.longPressMs);
        }, this.config.longPressMs);
      }
      return;
    }
    this.cancel('longTimer');
    const held = this.pressedAt === undefined ? undefined : now - this.pressedAt;
    this.pressedAt = undefined;
    this.emit('release', now, held);
    if (!this.clickable || held === undefined) return;
    this.clickable = false;
    this.emit('click', now, held);
    const dc = this.config.doubleClickMs;
    if (dc > 0 && this.lastClickAt !== undefined && now - this.lastClickAt <= dc) {
      this.lastClickAt = undefined; // a third click starts a new pair
      this.emit('double-click', now);
    } else {
      this.lastClickAt = now;
    }
  }

  private emit(type: ButtonEventType, time: number, durationMs?: number): void {
    if (this.closed || !this.onEvent) return;
    this.onEvent(durationMs === undefined ? { type, time } : { type, time, durationMs });
  }

  private cancel(which: 'debounceTimer' | 'longTimer'): void {
    const id = this[which];
    if (id !== undefined) this.time.clearTimeout(id);
    this[which] = undefined;
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', 'button used after close');
  }
}

function checkConfig(o: Partial<ButtonConfig>, base: ButtonConfig): ButtonConfig {
  return {
    debounceMs: o.debounceMs === undefined ? base.debounceMs : checkInt('debounceMs', o.debounceMs, 0, 10_000),
    longPressMs: o.longPressMs === undefined ? base.longPressMs : checkInt('longPressMs', o.longPressMs, 0, 600_000),
    doubleClickMs: o.doubleClickMs === undefined ? base.doubleClickMs : checkInt('doubleClickMs', o.doubleClickMs, 0, 10_000),
  };
}

function checkTime(time: unknown): void {
  checkObject('time', time);
  checkFunction('time.now', time.now);
  checkFunction('time.setTimeout', time.setTimeout);
  checkFunction('time.clearTimeout', time.clearTimeout);
}
