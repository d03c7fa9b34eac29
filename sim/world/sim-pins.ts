import type { TimerId, Timers } from '../../hal/contracts/time.js';
import type { SimPinPort } from '../../hal/sim/sim-ports.js';

export type PinLevel = 0 | 1 | null;

export interface PwmState {
  hz: number;
  /** Fraction of each period the pin is high, 0..1. */
  duty: number;
}

type Watcher = (level: PinLevel) => void;

/**
 * The outside world of one board's pins: what external circuits (buttons,
 * PIR modules, other boards) drive onto each GPIO, who watches it, and what
 * the board drives out (levels and PWM) for models such as LEDs, relays and
 * buzzers to observe.
 *
 * Levels are 0, 1 or null (floating: nothing drives the line, so the board's
 * pull resistor decides). Watchers are told of every change of the outside
 * level, including a change to floating (null): a watcher applies its own
 * pull, as SimDigital does by re-reading level().
 */
export class SimPins implements SimPinPort {
  private readonly outside = new Map<number, PinLevel>();
  private readonly driven_ = new Map<number, 0 | 1>();
  private readonly pwms = new Map<number, PwmState>();
  private readonly watchers = new Map<number, Set<Watcher>>();
  private readonly bouncing = new Map<number, { timers: Timers; ids: TimerId[] }>();

  // ---- SimPinPort (the board's side) ----

  level(gpio: number): PinLevel {
    const l = this.outside.get(gpio);
    return l === undefined ? null : l;
  }

  drive(gpio: number, level: 0 | 1): void {
    this.driven_.set(gpio, level);
  }

  watch(gpio: number, onChange: Watcher): () => void {
    let set = this.watchers.get(gpio);
    if (!set) {
      set = new Set();
      this.watchers.set(gpio, set);
    }
    // Each subscription is its own entry, so one callback watching twice unsubscribes once each.
    const entry: Watcher = (l) => onChange(l);
    set.add(entry);
    return () => {
      const s = this.watchers.get(gpio);
      if (s) s.delete(entry);
    };
  }

  pwm(gpio: number, hz: number, duty: number): void {
    this.pwms.set(gpio, { hz, duty });
  }

  // ---- test back door (the world's side) ----

  /** Drives `gpio` from outside (null: release it). Watchers hear of it synchronously, on change only. Cancels pending chatter. */
  setLevel(gpio: number, level: PinLevel): void {
    this.cancelBounce(gpio);
    this.apply(gpio, level);
  }

  /**
   * Contact chatter settling at `finalLevel`: `transitions` level changes,
   * `spacingMs` apart, the first now and the rest as `clock` reaches them
   * (run the VirtualClock). The line alternates between `finalLevel` and the
   * level it had before (or, when those are equal, the other logic level), so
   * an odd count changes the line and an even count returns it.
   */
  bounce(gpio: number, finalLevel: PinLevel, transitions: number, spacingMs: number, clock: Timers): void {
    if (!Number.isInteger(transitions) || transitions < 1) throw new RangeError(`transitions must be an integer ≥ 1, got ${transitions}`);
    if (!(spacingMs >= 0)) throw new RangeError(`spacingMs must be ≥ 0, got ${spacingMs}`);
    this.cancelBounce(gpio);
    const before = this.level(gpio);
    const other: PinLevel = before !== finalLevel ? before : finalLevel === 0 ? 1 : 0;
    const at = (k: number): PinLevel => ((transitions - 1 - k) % 2 === 0 ? finalLevel : other);
    const ids: TimerId[] = [];
    this.bouncing.set(gpio, { timers: clock, ids });
    for (let k = 1; k < transitions; k++) {
      const level = at(k);
      ids.push(clock.setTimeout(() => this.apply(gpio, level), k * spacingMs));
    }
    this.apply(gpio, at(0));
  }

  /** The level the board last drove on `gpio` as an output (null: never driven). */
  driven(gpio: number): 0 | 1 | null {
    const l = this.driven_.get(gpio);
    return l === undefined ? null : l;
  }

  /** The PWM the board last set on `gpio` (undefined: never). */
  pwmState(gpio: number): PwmState | undefined {
    const p = this.pwms.get(gpio);
    return p ? { hz: p.hz, duty: p.duty } : undefined;
  }

  /** How many subscriptions watch `gpio` (a closed io must leave none). */
  watcherCount(gpio: number): number {
    const s = this.watchers.get(gpio);
    return s ? s.size : 0;
  }

  private apply(gpio: number, level: PinLevel): void {
    if (this.level(gpio) === level) return;
    this.outside.set(gpio, level);
    const set = this.watchers.get(gpio);
    if (!set) return;
    // Copy, and skip anyone unsubscribed meanwhile: a watcher may close ios while being told.
    for (const w of Array.from(set)) if (set.has(w)) w(level);
  }

  private cancelBounce(gpio: number): void {
    const b = this.bouncing.get(gpio);
    if (!b) return;
    for (const id of b.ids) b.timers.clearTimeout(id);
    this.bouncing.delete(gpio);
  }
}
