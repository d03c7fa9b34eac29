import { I2cDeviceModel } from './i2c-device-model.js';

/**
 * A register-file device (BME280, BMP280, …): a write sets the register
 * pointer and writes any following bytes to successive registers; a read
 * returns registers from the pointer on, incrementing. Subclasses react to
 * writes (onRegisterWrite) and compute live registers (readRegister).
 */
export abstract class RegisterDeviceModel extends I2cDeviceModel {
  protected readonly regs = new Uint8Array(256);
  protected pointer = 0;

  protected onWrite(bytes: Uint8Array): void {
    this.pointer = bytes[0];
    for (let i = 1; i < bytes.length; i++) {
      this.onRegisterWrite(this.pointer, bytes[i]);
      this.pointer = (this.pointer + 1) & 0xff;
    }
  }

  protected onRead(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.readRegister(this.pointer);
      this.pointer = (this.pointer + 1) & 0xff;
    }
    return out;
  }

  protected onRegisterWrite(register: number, value: number): void {
    this.regs[register] = value;
  }

  protected readRegister(register: number): number {
    return this.regs[register];
  }

  /** Back door: set registers directly (calibration blocks, raw ADC values). */
  poke(register: number, bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.regs[(register + i) & 0xff] = bytes[i];
  }

  peek(register: number, count = 1): Uint8Array {
    return this.regs.slice(register, register + count);
  }
}
