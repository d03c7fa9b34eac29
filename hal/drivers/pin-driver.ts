import { IoError } from '../contracts/errors.js';
import { checkFunction, checkInt, checkObject } from '../contracts/check-options.js';
import type { Digital, DigitalMode, DigitalOptions } from '../contracts/io.js';
import type { HalTime } from '../contracts/time.js';
import { OneShot } from './one-shot.js';
import type { Sample, SensorChannel, SensorDriver } from './sensor-driver.js';

/** What a pin driver reports through onEvent: a type and when, from the injected time. */
export interface PinEvent {
  type: string;
  /** ms since the epoch. */
  time: number;
}

/** The options every pin driver takes, besides its opener (openDigital, openPwm) and its settings. */
export interface PinDriverOptions<E extends PinEvent> {
  pin: number;
  time: HalTime;
  onEvent?: (event: E) => void;
}

/** Who the driver is: its name in errors, its one boolean channel, the opener option it needs. */
export interface PinDriverKind {
  what: string;
  channel: string;
  opener: 'openDigital' | 'openPwm';
}

/**
 * The lifecycle every GPIO/PWM driver shares, in the shape of Moddable's
 * sensor classes: constructor(options) checks the common options (naming the
 * bad one), configure(partial) checks the whole change before it touches
 * anything, sample() reads the state, close() cancels the driver's timers and
 * releases the pin (twice is harmless); use after close throws IoError
 * 'closed'. A subclass keeps only its own settings, state and behaviour.
 */
export abstract class PinDriver<C extends object, S extends Sample, E extends PinEvent> implements SensorDriver<C, S> {
  readonly channels: readonly SensorChannel[];
  protected readonly pin: number;
  protected readonly time: HalTime;
  /** Set by the subclass's constructor, from checkConfig over its defaults. */
  protected abstract config: C;
  private readonly what: string;
  private readonly onEvent: ((event: E) => void) | undefined;
  private readonly timers: OneShot[] = [];
  private closed = false;

  protected constructor(kind: PinDriverKind, options: PinDriverOptions<E>) {
    checkObject('options', options);
    this.pin = checkInt('pin', options.pin, 0, 255);
    checkFunction(kind.opener, options[kind.opener]);
    checkTime(options.time);
    if (options.onEvent !== undefined) checkFunction('onEvent', options.onEvent);
    this.what = kind.what;
    this.channels = [{ name: kind.channel, min: 0, max: 1, resolution: 1 }];
    this.time = options.time;
    this.onEvent = options.onEvent;
  }

  /** A bad option throws before anything changes. */
  configure(options: Partial<C>): void {
    checkObject('options', options);
    const next = this.checkConfig(options, this.config);
    this.open();
    this.config = next;
    this.configured();
  }

  sample(): S {
    this.open();
    return this.current();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.release();
  }

  /** The settings in `o` over `base`, each checked (TypeError/RangeError naming it). */
  protected abstract checkConfig(o: Partial<C>, base: C): C;
  /** The current sample. */
  protected abstract current(): S;
  /** Releases the pin; the timers are already cancelled. */
  protected abstract release(): void;
  /** After configure() took a change (an output drives its new level). */
  protected configured(): void {}

  protected get isClosed(): boolean {
    return this.closed;
  }

  protected open(): void {
    if (this.closed) throw new IoError('closed', `${this.what} used after close`);
  }

  /** Reports an event to onEvent, if any; nothing once closed. */
  protected emit(event: E): void {
    if (!this.closed && this.onEvent) this.onEvent(event);
  }

  /** A timer close() cancels. */
  protected oneShot(): OneShot {
    const t = new OneShot(this.time);
    this.timers.push(t);
    return t;
  }

  /**
   * Opens the pin as an input reporting both edges. Every edge restarts the
   * debounce; `settled` runs once the line has stayed quiet debounceMs()
   * (at once when 0), so chatter of any length settles into one level.
   */
  protected openInput(openDigital: (o: DigitalOptions) => Digital, mode: DigitalMode, debounceMs: () => number, settled: () => void): Digital {
    const debounce = this.oneShot();
    return openDigital({
      pin: this.pin,
      mode,
      edge: 'both',
      onReadable: () => {
        if (this.closed) return;
        const ms = debounceMs();
        if (ms === 0) settled();
        else debounce.start(ms, settled);
      },
    });
  }
}

/** The first access to a just-opened pin: if it throws, the pin is released before the error goes on. */
export function firstAccess<T>(io: { close(): void }, access: () => T): T {
  try {
    return access();
  } catch (e) {
    io.close();
    throw e;
  }
}

function checkTime(time: unknown): void {
  checkObject('time', time);
  checkFunction('time.now', time.now);
  checkFunction('time.setTimeout', time.setTimeout);
  checkFunction('time.clearTimeout', time.clearTimeout);
}
