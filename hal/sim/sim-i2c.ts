import { IoError } from '../contracts/errors.js';
import { checkInt } from '../contracts/check-options.js';
import type { I2C } from '../contracts/io.js';
import type { SimI2cPort } from './sim-ports.js';

/**
 * I2C over a simulated bus. A repeated start (stop: false) is modelled as the
 * write and the read reaching the device back to back, as they do on a wire.
 */
export class SimI2C implements I2C {
  private closed = false;

  constructor(
    private readonly port: SimI2cPort,
    readonly address: number,
    private readonly onClose?: () => void,
  ) {
    checkInt('address', address, 0x08, 0x77);
  }

  private open(): void {
    if (this.closed) throw new IoError('closed', `I2C 0x${this.address.toString(16)} used after close`);
  }

  // `stop` only matters on a shared wire; the simulated bus has one master.
  read(count: number, _stop = true): Uint8Array {
    this.open();
    return this.port.read(this.address, checkInt('count', count, 1, 4096));
  }

  write(bytes: Uint8Array, _stop = true): void {
    this.open();
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    this.port.write(this.address, bytes);
  }

  writeRead(bytes: Uint8Array, count: number): Uint8Array {
    this.write(bytes, false);
    return this.read(count);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }
}
