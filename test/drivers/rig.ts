import assert from 'node:assert/strict';
import { IoError } from '../../hal/contracts/errors.js';
import type { I2C } from '../../hal/contracts/io.js';
import type { Clock } from '../../hal/contracts/time.js';
import type { Sample, SensorChannel, SensorDriver } from '../../hal/drivers/sensor-driver.js';
import { SimI2C } from '../../hal/sim/sim-i2c.js';
import type { I2cDeviceModel } from '../../sim/i2c/i2c-device-model.js';
import { SimI2cBus } from '../../sim/i2c/sim-i2c-bus.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

/** What every I2C driver is constructed with. */
export interface I2cDriverOptions {
  i2c: I2C;
  clock: Clock;
}

/**
 * What a driver test states about its chip; the rig (clock, bus, model,
 * handles, driver construction) is the same for every chip. Spread a spec to
 * vary it: `{ ...SHT3X, model: (a, c) => new Aht20Model(a, c) }` puts another
 * chip at the address.
 */
export interface ChipSpec<M extends I2cDeviceModel, D extends SensorDriver, O extends I2cDriverOptions> {
  /** The driver's name in hal/drivers/registry.ts. */
  name: string;
  address: number;
  /** Where virtual time starts (default: VirtualClock's own start). */
  startMs?: number;
  model(address: number, clock: VirtualClock): M;
  driver(options: O): D;
  /** Settings at which the readings reach the channels' stated resolution. */
  finest: Partial<O>;
  /** The chip protects its data with a CRC: a corrupted read is an IoError 'crc', never a value. */
  crc: boolean;
}

export interface Rig<M extends I2cDeviceModel, D extends SensorDriver, O extends I2cDriverOptions> {
  clock: VirtualClock;
  bus: SimI2cBus;
  model: M;
  address: number;
  /** A new handle on the chip's address (each driver owns, and closes, its own). */
  i2c(): SimI2C;
  /** A new driver on a new handle. */
  make(options?: Partial<O>): D;
}

/** A clock, a bus and the chip's model on it, no driver yet. */
export function rig<M extends I2cDeviceModel, D extends SensorDriver, O extends I2cDriverOptions>(spec: ChipSpec<M, D, O>): Rig<M, D, O> {
  const clock = spec.startMs === undefined ? new VirtualClock() : new VirtualClock(spec.startMs);
  const bus = new SimI2cBus(0);
  const model = spec.model(spec.address, clock);
  bus.attach(model);
  const i2c = (): SimI2C => new SimI2C(bus, spec.address);
  const make = (options: Partial<O> = {}): D => spec.driver({ i2c: i2c(), clock, ...options } as unknown as O);
  return { clock, bus, model, address: spec.address, i2c, make };
}

/** The rig with a driver constructed on it. */
export function open<M extends I2cDeviceModel, D extends SensorDriver, O extends I2cDriverOptions>(
  spec: ChipSpec<M, D, O>,
  options: Partial<O> = {},
): Rig<M, D, O> & { driver: D } {
  const r = rig(spec);
  return { ...r, driver: r.make(options) };
}

/** An assert.throws matcher for an IoError with this code. */
export function io(code: string): (e: unknown) => boolean {
  return (e) => e instanceof IoError && e.code === code;
}

export function near(v: number | undefined, want: number, tol: number, what = ''): void {
  assert.ok(v !== undefined && Math.abs(v - want) <= tol, `${what} read ${v}, want ${want} ±${tol}`);
}

/** Virtual time is a float: 4 ms + 1.6 ms is not exactly 5.6 ms. */
export function assertElapsed(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `waited ${actual} ms, expected ${expected} ms`);
}

/** Raw register access, to observe a register-file model as the datasheet describes it. */
export function reg(i2c: I2C, register: number, n = 1): number[] {
  return [...i2c.writeRead(Uint8Array.of(register), n)];
}

/**
 * Every channel stepped together from its min to its max: n + 1 settings.
 * Together, so a chip whose conversion of one channel depends on another
 * (pressure and humidity on temperature) is read at both ends of both.
 */
export function rangeSteps(channels: readonly SensorChannel[], n: number): Record<string, number>[] {
  const steps: Record<string, number>[] = [];
  for (let i = 0; i <= n; i++) {
    const set: Record<string, number> = {};
    for (const c of channels) set[c.name] = i === n ? c.max : c.min + ((c.max - c.min) * i) / n;
    steps.push(set);
  }
  return steps;
}

/** Sets the model to every step, samples, and checks each channel within the resolution the driver states. Returns the readings checked. */
export function stepAcrossRange(model: I2cDeviceModel, driver: SensorDriver<object, Sample>, n: number): number {
  let checked = 0;
  for (const set of rangeSteps(driver.channels, n)) {
    for (const [name, v] of Object.entries(set)) model.setValue(name, v);
    const s = driver.sample();
    for (const c of driver.channels) {
      near(s[c.name] as number | undefined, set[c.name], c.resolution, `${c.name} at ${JSON.stringify(set)}:`);
      checked++;
    }
  }
  return checked;
}
