import { IoError } from '../../contracts/errors.js';
import { checkFunction, checkInt, checkObject, checkOptionalInt } from '../../contracts/check-options.js';
import type { PWM, PwmOptions } from '../../contracts/io.js';
import type { HalTime, TimerId } from '../../contracts/time.js';
import type { SensorChannel, SensorDriver } from '../sensor-driver.js';

export interface BuzzerConfig {
  /** The frequency beep() uses, Hz (default 2000). */
  hz: number;
}

/** One step of a pattern: a tone of `hz` (0: a rest) for `ms`. */
export interface BuzzerNote {
  hz: number;
  ms: number;
}

export interface BuzzerEvent {
  /** A tone or pattern played to its end (not sent after stop()). */
  type: 'done';
  time: number;
}

export interface BuzzerOptions extends Partial<BuzzerConfig> {
  pin: number;
  openPwm: (options: PwmOptions) => PWM;
  time: HalTime;
  /** PWM duty resolution in bits (default 10). */
  resolution?: number;
  onEvent?: (event: BuzzerEvent) => void;
}

export type BuzzerSample = { playing: boolean };

const MAX_HZ = 40_000;
const MAX_MS = 600_000;
/** Patterns are bounded (firmware never allocates without bound). */
const MAX_NOTES = 256;

/**
 * A passive buzzer or small speaker on a PWM pin: a tone is a square wave of
 * its frequency at 50 % duty; silence is duty 0 with the PWM kept open. A
 * PWM's frequency is fixed when opened (ECMA-419), so a new frequency closes
 * and reopens it. Notes are sequenced with the injected timers; starting a
 * new tone or pattern replaces the one playing.
 */
export class Buzzer implements SensorDriver<BuzzerConfig, BuzzerSample> {
  readonly channels: readonly SensorChannel[] = [{ name: 'playing', min: 0, max: 1, resolution: 1 }];
  private readonly pin: number;
  private readonly time: HalTime;
  private readonly openPwm: (options: PwmOptions) => PWM;
  private readonly resolution: number;
  private readonly onEvent: ((event: BuzzerEvent) => void) | undefined;
  private config: BuzzerConfig;
  private pwm: PWM | undefined;
  private timer: TimerId | undefined;
  private playing = false;
  private closed = false;

  constructor(options: BuzzerOptions) {
    checkObject('options', options);
    this.pin = checkInt('pin', options.pin, 0, 255);
    this.openPwm = checkFunction('openPwm', options.openPwm) as (options: PwmOptions) => PWM;
    checkObject('time', options.time);
    checkFunction('time.now', options.time.now);
    checkFunction('time.setTimeout', options.time.setTimeout);
    checkFunction('time.clearTimeout', options.time.clearTimeout);
    if (options.onEvent !== undefined) checkFunction('onEvent', options.onEvent);
    this.resolution = checkOptionalInt('resolution', options.resolution, 1, 16, 10);
    this.config = { hz: checkOptionalInt('hz', options.hz, 1, MAX_HZ, 2000) };
    this.time = options.time;
    this.onEvent = options.onEvent;
    this.pwmAt(this.config.hz).write(0);
  }

  /** Sounds `hz` for `ms` (omitted: until stop()). */
  tone(hz: number, ms?: number): void {
    this.open();
    checkInt('hz', hz, 1, MAX_HZ);
    if (ms === undefined) {
      this.stop();
      this.sound(hz);
      this.playing = true;
      return;
    }
    this.play([{ hz, ms }]);
  }

  /** `count` beeps of `onMs` at the configured frequency, `offMs` apart. */
  beep(count = 1, onMs = 100, offMs = 100): void {
    this.open();
    checkInt('count', count, 1, MAX_NOTES / 2);
    checkInt('onMs', onMs, 1, MAX_MS);
    checkInt('offMs', offMs, 1, MAX_MS);
    const notes: BuzzerNote[] = [];
    for (let i = 0; i < count; i++) {
      notes.push({ hz: this.config.hz, ms: onMs });
      if (i < count - 1) notes.push({ hz: 0, ms: offMs });
    }
    this.play(notes);
  }

  /** Plays the notes in order; 'done' after the last. */
  play(notes: readonly BuzzerNote[]): void {
    this.open();
    if (!Array.isArray(notes)) throw new TypeError('notes must be an array of { hz, ms }');
    checkInt('notes.length', notes.length, 1, MAX_NOTES);
    const copy: BuzzerNote[] = [];
    for (let i = 0; i < notes.length; i++) {
      checkObject(`notes[${i}]`, notes[i]);
      copy.push({ hz: checkInt(`notes[${i}].hz`, notes[i].hz, 0, MAX_HZ), ms: checkInt(`notes[${i}].ms`, notes[i].ms, 1, MAX_MS) });
    }
    this.stop();
    this.playing = true;
    this.step(copy, 0);
  }

  /** Silence now; a pattern in progress ends without 'done'. */
  stop(): void {
    this.open();
    if (this.timer !== undefined) this.time.clearTimeout(this.timer);
    this.timer = undefined;
    this.playing = false;
    if (this.pwm) this.pwm.write(0);
  }

  configure(options: Partial<BuzzerConfig>): void {
    checkObject('options', options);
    const hz = options.hz === undefined ? this.config.hz : checkInt('hz', options.hz, 1, MAX_HZ);
    this.open();
    this.config = { hz };
  }

  sample(): BuzzerSample {
    this.open();
    return { playing: this.playing };
  }

  close(): void {
    if (this.closed) return;
    this.stop();
    this.closed = true;
    if (this.pwm) this.pwm.close();
    this.pwm = undefined;
  }

  private step(notes: BuzzerNote[], i: number): void {
    this.timer = undefined;
    if (i === notes.length) {
      this.playing = false;
      if (this.pwm) this.pwm.write(0);
      if (this.onEvent) this.onEvent({ type: 'done', time: this.time.now() });
      return;
    }
    const n = notes[i];
    if (n.hz === 0) {
      if (this.pwm) this.pwm.write(0);
    } else {
      this.sound(n.hz);
    }
    this.timer = this.time.setTimeout(() => this.step(notes, i + 1), n.ms);
  }

  private sound(hz: number): void {
    // Half of 2^resolution: a high half-period of the square wave.
    this.pwmAt(hz).write(2 ** (this.resolution - 1));
  }

  private pwmAt(hz: number): PWM {
    if (this.pwm && this.pwm.hz === hz) return this.pwm;
    if (this.pwm) this.pwm.close();
    // Cleared first: if the reopen throws, the next tone tries again.
    this.pwm = undefined;
    this.pwm = this.openPwm({ pin: this.pin, hz, resolution: this.resolution });
    return this.pwm;
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', 'buzzer used after close');
  }
}
