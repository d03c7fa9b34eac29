import { IoError } from '../contracts/errors.js';
import { checkInt, checkObject, checkOptionalInt } from '../contracts/check-options.js';
import type { PWM, PwmOptions } from '../contracts/io.js';
import type { SimPinPort } from './sim-ports.js';

/**
 * PWM over the simulator's pins (ECMA-419 embedded:io/pwm). The simulator
 * hears the frequency and the duty as a fraction: write(2^resolution − 1) is
 * fully on (1), write(0) is off. Opening reports duty 0 (the pin is low until
 * the first write) and closing reports duty 0 again: a released pin stops.
 */
export class SimPwm implements PWM {
  readonly pin: number;
  readonly hz: number;
  readonly resolution: number;
  private readonly max: number;
  private closed = false;

  constructor(
    private readonly port: SimPinPort,
    options: PwmOptions,
  ) {
    checkObject('options', options);
    this.pin = checkInt('pin', options.pin, 0, 255);
    // The ESP32 LEDC reaches 40 MHz at 1 bit; audio and LEDs need far less.
    this.hz = checkInt('hz', options.hz, 1, 40_000_000);
    this.resolution = checkOptionalInt('resolution', options.resolution, 1, 16, 10);
    if (options.allowStrapping !== undefined && typeof options.allowStrapping !== 'boolean') throw new TypeError('allowStrapping must be a boolean');
    this.max = 2 ** this.resolution - 1;
    this.port.pwm(this.pin, this.hz, 0);
  }

  write(duty: number): void {
    if (this.closed) throw new IoError('closed', `PWM on GPIO ${this.pin} written after close`);
    checkInt('duty', duty, 0, this.max);
    this.port.pwm(this.pin, this.hz, duty / this.max);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.pwm(this.pin, this.hz, 0);
  }
}
