import { checkInt, checkOneOf } from '../../contracts/check-options.js';
import type { Digital, DigitalMode, DigitalOptions } from '../../contracts/io.js';
import { checkBoolean } from '../driver-support.js';
import { firstAccess, PinDriver, type PinDriverOptions } from '../pin-driver.js';

export interface ButtonConfig {
  /** The line must be quiet this long before a change counts (default 30 ms): contact chatter is ignored. */
  debounceMs: number;
  /** Held this long: 'long-press', and no click on release (default 800 ms; 0: never). */
  longPressMs: number;
  /** A click ending within this long after the previous click's end is also a 'double-click' (default 400 ms; 0: never). */
  doubleClickMs: number;
}

type ButtonEventType = 'press' | 'release' | 'click' | 'long-press' | 'double-click';

export interface ButtonEvent {
  type: ButtonEventType;
  /** ms since the epoch, when the (debounced) change was accepted. */
  time: number;
  /** How long the button was held: on release, click and long-press. */
  durationMs?: number;
}

type ButtonPull = 'up' | 'down' | 'none';

export interface ButtonOptions extends Partial<ButtonConfig>, PinDriverOptions<ButtonEvent> {
  openDigital: (options: DigitalOptions) => Digital;
  /** Pressed reads 0: a button to ground (default true). */
  activeLow?: boolean;
  /** The pin's pull (default 'up' when activeLow, else 'down'); 'none' for an external resistor. */
  pull?: ButtonPull;
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
export class Button extends PinDriver<ButtonConfig, ButtonSample, ButtonEvent> {
  protected config: ButtonConfig;
  private readonly digital: Digital;
  private readonly activeLow: boolean;
  private pressed: boolean;
  /** When the current press was accepted (undefined: held since construction). */
  private pressedAt: number | undefined;
  private clickable = false;
  private lastClickAt: number | undefined;
  private readonly longTimer = this.oneShot();

  constructor(options: ButtonOptions) {
    super({ what: 'button', channel: 'pressed', opener: 'openDigital' }, options);
    this.activeLow = options.activeLow === undefined ? true : checkBoolean('activeLow', options.activeLow);
    const pull = options.pull === undefined ? (this.activeLow ? 'up' : 'down') : checkOneOf('pull', options.pull, PULLS);
    this.config = this.checkConfig(options, { debounceMs: 30, longPressMs: 800, doubleClickMs: 400 });
    this.digital = this.openInput(
      options.openDigital,
      PULL_MODE[pull],
      () => this.config.debounceMs,
      () => this.accept(),
    );
    this.pressed = firstAccess(this.digital, () => this.level());
  }

  protected checkConfig(o: Partial<ButtonConfig>, base: ButtonConfig): ButtonConfig {
    return {
      debounceMs: o.debounceMs === undefined ? base.debounceMs : checkInt('debounceMs', o.debounceMs, 0, 10_000),
      longPressMs: o.longPressMs === undefined ? base.longPressMs : checkInt('longPressMs', o.longPressMs, 0, 600_000),
      doubleClickMs: o.doubleClickMs === undefined ? base.doubleClickMs : checkInt('doubleClickMs', o.doubleClickMs, 0, 10_000),
    };
  }

  protected current(): ButtonSample {
    return { pressed: this.pressed };
  }

  protected release(): void {
    this.digital.close();
  }

  private level(): boolean {
    return (this.digital.read() === 0) === this.activeLow;
  }

  private accept(): void {
    const pressed = this.level();
    if (pressed === this.pressed) return; // chatter that ended where it began
    this.pressed = pressed;
    const now = this.time.now();
    if (pressed) {
      this.pressedAt = now;
      this.clickable = true;
      this.emit({ type: 'press', time: now });
      if (this.config.longPressMs > 0) {
        this.longTimer.start(this.config.longPressMs, () => {
          this.clickable = false;
          this.emit({ type: 'long-press', time: this.time.now(), durationMs: this.config.longPressMs });
        });
      }
      return;
    }
    this.longTimer.cancel();
    const held = this.pressedAt === undefined ? undefined : now - this.pressedAt;
    this.pressedAt = undefined;
    this.emit(held === undefined ? { type: 'release', time: now } : { type: 'release', time: now, durationMs: held });
    if (!this.clickable || held === undefined) return;
    this.clickable = false;
    this.emit({ type: 'click', time: now, durationMs: held });
    const dc = this.config.doubleClickMs;
    if (dc > 0 && this.lastClickAt !== undefined && now - this.lastClickAt <= dc) {
      this.lastClickAt = undefined; // a third click starts a new pair
      this.emit({ type: 'double-click', time: now });
    } else {
      this.lastClickAt = now;
    }
  }
}
