import type { Clock, TimerId, Timers } from '../../hal/contracts/time.js';
import type { SimPins } from '../world/sim-pins.js';

export interface PirModelOptions {
  pins: SimPins;
  gpio: number;
  clock: Clock & Timers;
  /** How long the output stays high after a trigger, ms (default 3000; the HC-SR501's pot sets ~3 s to 300 s). */
  holdMs?: number;
  /** Jumper H (default): motion while high restarts the hold. Jumper L: it is ignored. */
  retrigger?: boolean;
  /** After the output falls, triggers are ignored this long, ms (default 2500, the HC-SR501's block time). */
  blockMs?: number;
}

/**
 * An HC-SR501-style PIR module on a GPIO: a push-pull output, low while
 * idle, high for holdMs after motion. Motion comes from the scenario or the
 * test as events at simulated times (motion(), motionAt(), motionIn()),
 * scheduled on the clock. The module's warm-up after power-on is not
 * modelled: it is ready at once.
 */
export class PirModel {
  private readonly pins: SimPins;
  private readonly clock: Clock & Timers;
  readonly gpio: number;
  holdMs: number;
  retrigger: boolean;
  blockMs: number;
  private highUntil = -Infinity;
  private blockedUntil = -Infinity;
  private fallTimer: TimerId | undefined;
  /** Motion events the module saw (whether or not they changed the output). */
  triggers = 0;

  constructor(o: PirModelOptions) {
    this.pins = o.pins;
    this.gpio = o.gpio;
    this.clock = o.clock;
    this.holdMs = o.holdMs ?? 3000;
    this.retrigger = o.retrigger ?? true;
    this.blockMs = o.blockMs ?? 2500;
    this.pins.setLevel(this.gpio, 0);
  }

  /** Is the output high now? */
  get output(): boolean {
    return this.clock.now() < this.highUntil;
  }

  /** Motion now. */
  motion(): void {
    this.triggers++;
    const now = this.clock.now();
    if (now < this.highUntil) {
      if (!this.retrigger) return;
    } else if (now < this.blockedUntil) {
      return;
    }
    this.highUntil = now + this.holdMs;
    this.pins.setLevel(this.gpio, 1);
    if (this.fallTimer !== undefined) this.clock.clearTimeout(this.fallTimer);
    this.fallTimer = this.clock.setTimeout(() => this.fall(), this.holdMs);
  }

  /** Motion at an absolute simulated time (ms since the epoch). */
  motionAt(timeMs: number): void {
    this.clock.setTimeout(() => this.motion(), timeMs - this.clock.now());
  }

  /** Motion `ms` from now. */
  motionIn(ms: number): void {
    this.clock.setTimeout(() => this.motion(), ms);
  }

  private fall(): void {
    this.fallTimer = undefined;
    this.pins.setLevel(this.gpio, 0);
    this.blockedUntil = this.clock.now() + this.blockMs;
  }
}
