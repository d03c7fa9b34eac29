import type { Clock, Timers } from '../../hal/contracts/time.js';
import type { I2cDeviceModel } from '../i2c/i2c-device-model.js';
import type { SimPins } from '../world/sim-pins.js';
import { Aht20Model } from './aht20-model.js';
import { Bh1750Model } from './bh1750-model.js';
import { Bme280Model } from './bme280-model.js';
import { ButtonModel } from './button-model.js';
import { PirModel } from './pir-model.js';
import { RegisterFileModel } from './register-file-model.js';
import { Sht3xModel } from './sht3x-model.js';
import { Sht4xModel } from './sht4x-model.js';

/**
 * Device models by the name scenario files use. I2C models sit on a bus at
 * an address; pin models drive a pin of a board's SimPins, and take the
 * scenario's `events` (motion, presses) at simulated times.
 */
export type ModelEntry =
  | { kind: 'i2c'; create: (address: number, clock: Clock, params: Record<string, unknown>) => I2cDeviceModel }
  | { kind: 'pin'; create: (o: { pins: SimPins; gpio: number; clock: Clock & Timers; params: Record<string, unknown> }) => { eventAt(timeMs: number): void } };

export const MODELS: Record<string, ModelEntry> = {
  bme280: { kind: 'i2c', create: (a, c) => new Bme280Model(a, c, 'bme280') },
  bmp280: { kind: 'i2c', create: (a, c) => new Bme280Model(a, c, 'bmp280') },
  sht3x: { kind: 'i2c', create: (a, c, p) => new Sht3xModel(a, c, p) },
  sht4x: { kind: 'i2c', create: (a, c, p) => new Sht4xModel(a, c, p) },
  bh1750: { kind: 'i2c', create: (a, c) => new Bh1750Model(c, a) },
  aht20: { kind: 'i2c', create: (a, c, p) => new Aht20Model(a, c, p) },
  'register-file': { kind: 'i2c', create: (a, c) => new RegisterFileModel(a, c) },
  pir: {
    kind: 'pin',
    create: (o) => {
      const m = new PirModel({ pins: o.pins, gpio: o.gpio, clock: o.clock, ...(o.params as { holdMs?: number; retrigger?: boolean; blockMs?: number }) });
      return { eventAt: (t) => m.motionAt(t) };
    },
  },
  button: {
    kind: 'pin',
    create: (o) => {
      const m = new ButtonModel({ pins: o.pins, gpio: o.gpio, clock: o.clock, ...(o.params as { activeLow?: boolean; bounces?: number }) });
      const hold = typeof o.params.holdMs === 'number' ? o.params.holdMs : 150;
      return { eventAt: (t) => void o.clock.setTimeout(() => m.click(hold), Math.max(0, t - o.clock.now())) };
    },
  },
};
