import { checkInt } from '../contracts/check-options.js';
import type { PWM } from '../contracts/io.js';
import { pigpioCall } from './linux-digital-pigpio.js';
import { assertOpen } from './linux-context.js';
import type { PigpioGpio, PigpioModule } from './native-types.js';

/** pigpio's hardware PWM takes duty as parts per million. */
const PIGPIO_DUTY_RANGE = 1_000_000;

/** duty (0 .. 2^resolution − 1) → pigpio's 0 .. 1 000 000. */
function toPigpioDuty(duty: number, resolution: number): number {
  return Math.round((duty * PIGPIO_DUTY_RANGE) / (2 ** resolution - 1));
}

/**
 * Hardware PWM through pigpio (gpioHardwarePWM) on BCM2835–BCM2711: GPIO 12,
 * 13, 18, 19, frequency up to 125 MHz (187.5 MHz on BCM2711), duty in
 * millionths. pigpio switches the pin to its PWM function itself, so no
 * device-tree overlay is needed. It uses the PWM peripheral the analogue
 * audio jack also uses: do not play through the jack while PWM runs.
 * close() stops the output and leaves the pin an input.
 */
export class PigpioPwm implements PWM {
  private readonly gpio: PigpioGpio;
  private closed = false;

  constructor(
    private readonly pigpio: PigpioModule,
    private readonly pin: number,
    readonly hz: number,
    readonly resolution: number,
    private readonly onClose: () => void,
  ) {
    const { Gpio } = pigpio;
    this.gpio = pigpioCall(this.what, () => new Gpio(pin, { mode: Gpio.OUTPUT }));
    pigpioCall(this.what, () => this.gpio.hardwarePwmWrite(hz, 0));
  }

  private get what(): string {
    return `PWM pin ${this.pin} (pigpio)`;
  }

  write(duty: number): void {
    assertOpen(this.closed, this.what);
    const d = toPigpioDuty(checkInt('duty', duty, 0, 2 ** this.resolution - 1), this.resolution);
    pigpioCall(this.what, () => this.gpio.hardwarePwmWrite(this.hz, d));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.gpio.hardwarePwmWrite(0, 0);
      this.gpio.mode(this.pigpio.Gpio.INPUT);
    } finally {
      this.onClose();
    }
  }
}
