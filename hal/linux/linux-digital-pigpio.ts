import { FaztError, IoError } from '../contracts/errors.js';
import type { Digital } from '../contracts/io.js';
import type { CheckedDigital } from './digital-options.js';
import { assertOpen } from './linux-context.js';
import type { PigpioGpio, PigpioModule } from './native-types.js';

/** Runs a pigpio call; its C errors ("gpioWrite: bad gpio" …) become IoError with the original as cause. */
export function pigpioCall<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FaztError || e instanceof TypeError || e instanceof RangeError) throw e;
    throw new IoError('absent', `${what}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Digital through pigpio on BCM2835–BCM2711 Pis. Edges come from pigpio
 * alerts (its DMA sampler, 5 µs resolution) rather than its interrupts,
 * which go through the deprecated sysfs GPIO interface. pigpio has no
 * open-drain mode, so output-opendrain drives low for 0 and turns the pin
 * into an input (released, pulled up outside) for 1; it starts released, and
 * read() gives the level on the wire either way. close() leaves every
 * pin an input with its pull off, the safe state.
 */
export class PigpioDigital implements Digital {
  private readonly gpio: PigpioGpio;
  private closed = false;

  constructor(
    private readonly pigpio: PigpioModule,
    private readonly o: CheckedDigital,
    private readonly onClose: () => void,
  ) {
    const { Gpio } = pigpio;
    const pud = o.mode === 'input-pullup' ? Gpio.PUD_UP : o.mode === 'input-pulldown' ? Gpio.PUD_DOWN : Gpio.PUD_OFF;
    const mode = o.mode === 'output' ? Gpio.OUTPUT : Gpio.INPUT;
    this.gpio = pigpioCall(this.what, () => new Gpio(o.pin, { mode, pullUpDown: pud, alert: o.edge !== undefined }));
    if (o.mode === 'output') pigpioCall(this.what, () => this.gpio.digitalWrite(0));
    if (o.edge) {
      const want = o.edge;
      this.gpio.on('alert', (level) => {
        if (this.closed) return;
        if (want === 'both' || (want === 'rising') === (level === 1)) o.onReadable?.();
      });
    }
  }

  private get what(): string {
    return `digital pin ${this.o.pin} (pigpio)`;
  }

  read(): 0 | 1 {
    assertOpen(this.closed, this.what);
    return pigpioCall(this.what, () => this.gpio.digitalRead()) === 0 ? 0 : 1;
  }

  write(value: 0 | 1): void {
    assertOpen(this.closed, this.what);
    if (!this.o.output) throw new TypeError(`${this.what} is an input (mode ${this.o.mode}); write needs an output mode`);
    if (value !== 0 && value !== 1) throw new RangeError(`value must be 0 or 1, got ${String(value)}`);
    const { Gpio } = this.pigpio;
    pigpioCall(this.what, () => {
      if (this.o.mode === 'output') this.gpio.digitalWrite(value);
      else if (value === 0) this.gpio.mode(Gpio.OUTPUT).digitalWrite(0);
      else this.gpio.mode(Gpio.INPUT);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const { Gpio } = this.pigpio;
    try {
      if (this.o.edge) this.gpio.disableAlert().removeAllListeners('alert');
      this.gpio.mode(Gpio.INPUT).pullUpDown(Gpio.PUD_OFF);
    } finally {
      this.onClose();
    }
  }
}
