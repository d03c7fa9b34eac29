import { IoError } from '../../hal/contracts/errors.js';
import type { I2cDeviceModel } from './i2c-device-model.js';

/**
 * One simulated I2C bus: the device models attached by address, and the
 * bus-level fault of a stuck bus (a device holding SDA low: every transfer
 * fails until released). A transfer to an address nobody answers NACKs.
 */
export class SimI2cBus {
  private readonly devices = new Map<number, I2cDeviceModel>();
  stuck = false;
  /** Transfers seen, for tests and the simulator's statistics. */
  transfers = 0;

  constructor(readonly id: number) {}

  attach(device: I2cDeviceModel): void {
    if (this.devices.has(device.address)) throw new RangeError(`bus ${this.id}: address 0x${device.address.toString(16)} already has a device`);
    this.devices.set(device.address, device);
  }

  detach(address: number): void {
    this.devices.delete(address);
  }

  device(address: number): I2cDeviceModel | undefined {
    return this.devices.get(address);
  }

  private target(address: number, op: string): I2cDeviceModel {
    this.transfers++;
    if (this.stuck) throw new IoError('bus-stuck', `bus ${this.id} is stuck (SDA held low)`);
    const d = this.devices.get(address);
    if (!d) throw new IoError('nack', `no ACK from 0x${address.toString(16)} on ${op} (nothing at that address on bus ${this.id})`);
    return d;
  }

  write(address: number, bytes: Uint8Array): void {
    this.target(address, 'write').write(bytes);
  }

  read(address: number, count: number): Uint8Array {
    return this.target(address, 'read').read(count);
  }
}
