import type { HalBackend, I2C } from '../../hal/contracts/io.js';
import type { HalTime } from '../../hal/contracts/time.js';
import { DRIVERS } from '../../hal/drivers/registry.js';
import type { SensorDriver } from '../../hal/drivers/sensor-driver.js';

/** A sensor as node configuration and scenarios describe it (schemas/node-config.schema.json#/properties/sensors/items). */
export interface SensorConfig {
  name: string;
  driver: string;
  i2c?: { bus?: number; sda?: number; scl?: number; address: number; hz?: number };
  pin?: number;
  intervalMs: number;
  options?: Record<string, unknown>;
  filters?: Record<string, unknown>[];
  checks?: Record<string, { maxRatePerS?: number; stuckAfter?: number }>;
}

/** Something a driver reports besides its samples: a button's click, a PIR's motion start. */
interface DriverEvent {
  type: string;
  time: number;
  [key: string]: unknown;
}

export interface OpenSensorContext {
  backend: HalBackend;
  time: HalTime;
  onEvent?: (sensor: string, event: DriverEvent) => void;
}

/**
 * Opens the io a sensor's configuration names and constructs its driver.
 * The driver owns the io from then on (its close() closes it); if the
 * constructor throws, the io is closed here, so a failed open leaks no claim.
 */
export function openSensor(config: SensorConfig, ctx: OpenSensorContext): SensorDriver {
  const entry = DRIVERS[config.driver];
  if (!entry) throw new RangeError(`sensor ${config.name}: unknown driver '${config.driver}'; known: ${Object.keys(DRIVERS).join(', ')}`);
  const options = config.options ?? {};
  const onEvent = ctx.onEvent ? (e: DriverEvent) => (ctx.onEvent as NonNullable<OpenSensorContext['onEvent']>)(config.name, e) : undefined;
  if (entry.kind === 'i2c') {
    if (!config.i2c) throw new TypeError(`sensor ${config.name}: driver ${config.driver} needs an i2c section`);
    const io: I2C = ctx.backend.i2c({ data: config.i2c.sda, clock: config.i2c.scl, address: config.i2c.address, hz: config.i2c.hz });
    try {
      return entry.create({ ...options, i2c: io, clock: ctx.time });
    } catch (e) {
      io.close();
      throw e;
    }
  }
  if (config.pin === undefined) throw new TypeError(`sensor ${config.name}: driver ${config.driver} needs a pin`);
  return entry.create({
    ...options,
    pin: config.pin,
    time: ctx.time,
    openDigital: (o) => ctx.backend.digital(o),
    openPwm: (o) => ctx.backend.pwm(o),
    onEvent,
  });
}
