import { FaztError, IoError, type IoErrorCode } from '../contracts/errors.js';
import { checkInt } from '../contracts/check-options.js';
import type { I2C } from '../contracts/io.js';
import { assertOpen } from './linux-context.js';
import type { I2cBusSync } from './native-types.js';

/** The longest SMBus "I2C block read" (I2C_SMBUS_BLOCK_MAX). */
const SMBUS_BLOCK_MAX = 32;

/**
 * errno from /dev/i2c-N → the IoError code. NACK is EREMOTEIO on the BCM2835
 * controller and ENXIO/EIO on others; a held or contested bus is EAGAIN
 * (arbitration lost) or EBUSY; a clock-stretch or transfer timeout is
 * ETIMEDOUT (Linux Documentation/i2c/fault-codes.rst).
 */
export function i2cErrorCode(errnoCode: string | undefined): IoErrorCode {
  switch (errnoCode) {
    case 'EREMOTEIO':
    case 'ENXIO':
    case 'EIO':
      return 'nack';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EAGAIN':
    case 'EBUSY':
      return 'bus-stuck';
    case 'EACCES':
    case 'EPERM':
    case 'EOPNOTSUPP':
      return 'unsupported';
    default:
      return 'absent';
  }
}

/**
 * One device on a Linux I2C bus, through i2c-bus's synchronous calls.
 *
 * i2c-bus's plain i2cWriteSync/i2cReadSync each end with STOP, and it offers
 * no combined (I2C_RDWR) transfer. So a write with `stop: false` is held back
 * until the next call: a read of at most 32 bytes after a one-byte write runs
 * as one SMBus "I2C block read" (readI2cBlockSync: the byte, a repeated start,
 * the read), which is the register-pointer read nearly every sensor wants.
 * Longer writes or reads fall back to write, STOP, read; devices that keep
 * their register pointer across a STOP (most do) read the same. writeRead is
 * exactly write(bytes, false) then read(count). close() drops a write still
 * held back, which never reached the wire. The bus speed is fixed by the
 * device tree (dtparam=i2c_arm_baudrate=N), not per device.
 */
export class LinuxI2C implements I2C {
  private closed = false;
  private held: Uint8Array | undefined;

  constructor(
    private readonly bus: I2cBusSync,
    readonly address: number,
    private readonly busName: string,
    private readonly onClose: () => void,
  ) {}

  private get what(): string {
    return `I2C 0x${this.address.toString(16)} on ${this.busName}`;
  }

  private call<T>(op: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof FaztError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new IoError(i2cErrorCode(code), `${this.what}: ${op} failed (${code ?? (e as Error).message})`, { cause: e });
    }
  }

  private plainWrite(bytes: Uint8Array): void {
    const buf = Buffer.from(bytes);
    const n = this.call('write', () => this.bus.i2cWriteSync(this.address, buf.length, buf));
    if (n !== buf.length) throw new IoError('nack', `${this.what}: wrote ${n} of ${buf.length} bytes`);
  }

  private flushHeld(): Uint8Array | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }

  read(count: number, _stop = true): Uint8Array {
    assertOpen(this.closed, this.what);
    checkInt('count', count, 1, 4096);
    const buf = Buffer.alloc(count);
    const held = this.flushHeld();
    let n: number;
    if (held && held.length === 1 && count <= SMBUS_BLOCK_MAX) {
      n = this.call('write-read', () => this.bus.readI2cBlockSync(this.address, held[0], count, buf));
    } else {
      if (held) this.plainWrite(held);
      n = this.call('read', () => this.bus.i2cReadSync(this.address, count, buf));
    }
    if (n !== count) throw new IoError('nack', `${this.what}: read ${n} of ${count} bytes`);
    return new Uint8Array(buf.buffer, buf.byteOffset, count).slice();
  }

  write(bytes: Uint8Array, stop = true): void {
    assertOpen(this.closed, this.what);
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    const held = this.flushHeld();
    if (held) this.plainWrite(held);
    if (stop === false) this.held = bytes.slice();
    else this.plainWrite(bytes);
  }

  writeRead(bytes: Uint8Array, count: number): Uint8Array {
    this.write(bytes, false);
    return this.read(count);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = undefined;
    this.onClose();
  }
}
