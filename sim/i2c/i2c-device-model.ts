import { IoError } from '../../hal/contracts/errors.js';
import type { Clock } from '../../hal/contracts/time.js';

/** A physical quantity as a function of simulated time (see sim/environment/signals.ts). */
export type Signal = (timeMs: number) => number;

/**
 * The far side of an I2C device, at register level. Subclasses model the
 * datasheet (ID registers, reset, conversion timing, data-ready, CRC); this
 * base adds what every device shares: physical inputs driven by signals, and
 * the test back door for faults.
 *
 * Faults:
 *  - unplugged: every transfer NACKs (the device is gone)
 *  - nackNext(n): the next n transfers NACK
 *  - corruptNext(n): the next n reads have one bit flipped (a CRC must catch it)
 *  - slow(ms): conversions take ms longer than the datasheet says
 */
export abstract class I2cDeviceModel {
  unplugged = false;
  private nacks = 0;
  private corruptions = 0;
  protected extraConversionMs = 0;
  private readonly inputs = new Map<string, Signal>();

  constructor(
    readonly address: number,
    protected readonly clock: Clock,
  ) {}

  /** Host write transaction (the bytes after the address byte). */
  write(bytes: Uint8Array): void {
    this.gate('write');
    // A zero-length write (SMBus quick command, as i2cdetect probes) is only the ACK.
    if (bytes.length > 0) this.onWrite(bytes);
  }

  /** Host read transaction of `count` bytes. */
  read(count: number): Uint8Array {
    this.gate('read');
    const out = this.onRead(count);
    if (this.corruptions > 0 && out.length > 0) {
      this.corruptions--;
      out[0] ^= 0x10;
    }
    return out;
  }

  private gate(op: string): void {
    if (this.unplugged) throw new IoError('nack', `no ACK from 0x${this.address.toString(16)} on ${op} (device unplugged)`);
    if (this.nacks > 0) {
      this.nacks--;
      throw new IoError('nack', `no ACK from 0x${this.address.toString(16)} on ${op} (injected)`);
    }
  }

  protected abstract onWrite(bytes: Uint8Array): void;
  protected abstract onRead(count: number): Uint8Array;

  /** Power-on reset: registers to their datasheet defaults. */
  abstract reset(): void;

  // ---- test back door ----

  nackNext(n = 1): void {
    this.nacks += n;
  }

  corruptNext(n = 1): void {
    this.corruptions += n;
  }

  slow(ms: number): void {
    this.extraConversionMs = ms;
  }

  unplug(): void {
    this.unplugged = true;
  }

  /** Replugging is a power cycle: the device comes back from reset. */
  replug(): void {
    this.unplugged = false;
    this.reset();
  }

  setSignal(name: string, signal: Signal): void {
    this.inputs.set(name, signal);
  }

  setValue(name: string, value: number): void {
    this.inputs.set(name, () => value);
  }

  /** The physical input at a time; subclasses read their inputs when a conversion completes. */
  protected input(name: string, at: number, fallback: number): number {
    const s = this.inputs.get(name);
    return s ? s(at) : fallback;
  }
}
