import { checkInt, checkObject, checkOptionalInt } from '../../contracts/check-options.js';
import type { PWM, PwmOptions } from '../../contracts/io.js';
import { PinDriver, type PinDriverOptions } from '../pin-driver.js';

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

export interface BuzzerOptions extends Partial<BuzzerConfig>, PinDriverOptions<BuzzerEvent> {
  openPwm: (options: PwmOptions) => PWM;
  /** PWM duty resolution in bits (default 10). */
  resolution?: number;
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
export class Buzzer extends PinDriver<BuzzerConfig, BuzzerSample, BuzzerEvent> {
  protected config: BuzzerConfig;
  private readonly openPwm: (options: PwmOptions) => PWM;
  private readonly resolution: number;
  private pwm: PWM | undefined;
  private readonly noteTimer = this.oneShot();
  private playing = false;

  constructor(options: BuzzerOptions) {
    super({ what: 'buzzer', channel: 'playing', opener: 'openPwm' }, options);
    this.openPwm = options.openPwm;
    this.resolution = checkOptionalInt('resolution', options.resolution, 1, 16, 10);
    this.config = this.checkConfig(options, { hz: 2000 });
    try {
      this.pwmAt(this.config.hz).write(0);
    } catch (e) {
      // A PWM that opened but cannot be driven is released, as the other pin drivers release their pin.
      this.pwm?.close();
      throw e;
    }
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
    this.silence();
  }

  protected checkConfig(o: Partial<BuzzerConfig>, base: BuzzerConfig): BuzzerConfig {
    return { hz: o.hz === undefined ? base.hz : checkInt('hz', o.hz, 1, MAX_HZ) };
  }

  protected current(): BuzzerSample {
    return { playing: this.playing };
  }

  /** Silences, then releases the PWM. */
  protected release(): void {
    this.silence();
    if (this.pwm) this.pwm.close();
    this.pwm = undefined;
  }

  private silence(): void {
    this.noteTimer.cancel();
    this.playing = false;
    if (this.pwm) this.pwm.write(0);
  }

  private step(notes: BuzzerNote[], i: number): void {
    if (i === notes.length) {
      this.playing = false;
      if (this.pwm) this.pwm.write(0);
      this.emit({ type: 'done', time: this.time.now() });
      return;
    }
    const n = notes[i];
    if (n.hz === 0) {
      if (this.pwm) this.pwm.write(0);
    } else {
      this.sound(n.hz);
    }
    this.noteTimer.start(n.ms, () => this.step(notes, i + 1));
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
}
