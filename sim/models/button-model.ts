import type { Timers } from '../../hal/contracts/time.js';
import type { SimPins } from '../world/sim-pins.js';

export interface ButtonModelOptions {
  pins: SimPins;
  gpio: number;
  clock: Timers;
  /** Wired to ground (default true): pressed pulls the line to 0. Otherwise to VCC: pressed drives 1. */
  activeLow?: boolean;
  /** Contact chatter on every press and release: times the contact springs back before settling (default 0: clean). */
  bounces?: number;
  /** Time between chatter level changes, ms (default 1). */
  bounceSpacingMs?: number;
}

/**
 * A push button between a GPIO and ground (or VCC). Pressed, the contact
 * drives the line; released, the line floats and the board's pull decides,
 * which is why the driver enables a pull-up for an active-low button. With
 * bounce set, each press and release chatters between the two states before
 * settling, on the clock (run the VirtualClock to play it out).
 */
export class ButtonModel {
  private readonly pins: SimPins;
  private readonly clock: Timers;
  readonly gpio: number;
  readonly activeLow: boolean;
  bounces: number;
  bounceSpacingMs: number;
  private down = false;

  constructor(o: ButtonModelOptions) {
    this.pins = o.pins;
    this.gpio = o.gpio;
    this.clock = o.clock;
    this.activeLow = o.activeLow ?? true;
    this.bounces = o.bounces ?? 0;
    this.bounceSpacingMs = o.bounceSpacingMs ?? 1;
    this.pins.setLevel(this.gpio, null);
  }

  get pressed(): boolean {
    return this.down;
  }

  press(): void {
    this.down = true;
    this.move(this.activeLow ? 0 : 1);
  }

  release(): void {
    this.down = false;
    this.move(null);
  }

  /** Press now and release after `holdMs` (on the clock). */
  click(holdMs: number): void {
    this.press();
    this.clock.setTimeout(() => this.release(), holdMs);
  }

  private move(level: 0 | 1 | null): void {
    // Each bounce is a spring back and a return: 2n + 1 changes end at the new level.
    if (this.bounces > 0) this.pins.bounce(this.gpio, level, this.bounces * 2 + 1, this.bounceSpacingMs, this.clock);
    else this.pins.setLevel(this.gpio, level);
  }
}
