import { checkInt } from './contracts/check-options.js';
import type { I2C } from './contracts/io.js';

/**
 * SMBus-style register helpers written once, portably, on top of any I2C
 * (as Moddable's modules/io/i2c/smbus.js does): a register read is a write
 * of the register address and a read with a repeated start.
 */
export class SMBus {
  constructor(readonly i2c: I2C) {}

  readUint8(register: number): number {
    return this.i2c.writeRead(Uint8Array.of(checkInt('register', register, 0, 255)), 1)[0];
  }

  readUint16(register: number, bigEndian = false): number {
    const b = this.i2c.writeRead(Uint8Array.of(checkInt('register', register, 0, 255)), 2);
    return bigEndian ? (b[0] << 8) | b[1] : b[0] | (b[1] << 8);
  }

  readBuffer(register: number, count: number): Uint8Array {
    return this.i2c.writeRead(Uint8Array.of(checkInt('register', register, 0, 255)), checkInt('count', count, 1, 255));
  }

  writeUint8(register: number, value: number): void {
    this.i2c.write(Uint8Array.of(checkInt('register', register, 0, 255), checkInt('value', value, 0, 255)));
  }

  writeUint16(register: number, value: number, bigEndian = false): void {
    checkInt('value', value, 0, 0xffff);
    const r = checkInt('register', register, 0, 255);
    this.i2c.write(bigEndian ? Uint8Array.of(r, value >> 8, value & 0xff) : Uint8Array.of(r, value & 0xff, value >> 8));
  }

  writeBuffer(register: number, bytes: Uint8Array): void {
    const out = new Uint8Array(bytes.length + 1);
    out[0] = checkInt('register', register, 0, 255);
    out.set(bytes, 1);
    this.i2c.write(out);
  }

  sendByte(command: number): void {
    this.i2c.write(Uint8Array.of(checkInt('command', command, 0, 255)));
  }

  receiveByte(): number {
    return this.i2c.read(1)[0];
  }
}
