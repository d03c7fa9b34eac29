import { sine, sum, randomWalk, type Signal } from '../environment/signals.js';
import { Bh1750Model } from '../models/bh1750-model.js';
import { Bme280Model } from '../models/bme280-model.js';
import { ButtonModel } from '../models/button-model.js';
import { PirModel } from '../models/pir-model.js';
import { Sht4xModel } from '../models/sht4x-model.js';
import type { SimBoard } from '../world/sim-board.js';
import type { SensorConfig } from '../../firmware/sensing/open-sensor.js';

/**
 * The three nodes `npm start` runs: an esp32-devkitc with a BME280, an
 * esp32-c3 with an SHT4x and a PIR, an esp32-s3 with a BH1750 and a button.
 * Their environment follows the time of day (signals of absolute time), with
 * a seeded wander on top; motion and presses come on a fixed rhythm.
 */
export interface DemoNode {
  name: string;
  board: string;
  sensors: SensorConfig[];
  wire: (board: SimBoard) => void;
}

const DAY = 86_400_000;
// sine() starts at mean and rises; a phase of 0.375 puts the peak at 15:00 UTC.
const daily = (mean: number, amplitude: number, phase = 0.375): Signal => sine(mean, amplitude, DAY, phase);
const wander = (seed: number, step: number, bound: number): Signal => randomWalk(seed, 0, step, 60_000, -bound, bound);

export const DEMO_NODES: DemoNode[] = [
  {
    name: 'living-room',
    board: 'esp32-devkitc',
    sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 2000, options: { pressureOversampling: 4 } }],
    wire: (b) => {
      const m = new Bme280Model(0x76, b.clock);
      m.setSignal('temperature', sum([daily(21.5, 2), wander(1, 0.05, 0.6)]));
      m.setSignal('humidity', sum([daily(45, -7), wander(2, 0.2, 3)]));
      m.setSignal('pressure', sum([daily(101_300, 120, 0.1), wander(3, 4, 200)]));
      b.attachI2c(m);
    },
  },
  {
    name: 'hallway',
    board: 'esp32-c3-devkitm-1',
    sensors: [
      { name: 'sht4x', driver: 'sht4x', i2c: { address: 0x44 }, intervalMs: 2000 },
      { name: 'pir', driver: 'pir', pin: 6, intervalMs: 1000, options: { holdMs: 3000 } },
    ],
    wire: (b) => {
      const m = new Sht4xModel(0x44, b.clock);
      m.setSignal('temperature', sum([daily(19, 1.5), wander(4, 0.05, 0.5)]));
      m.setSignal('humidity', sum([daily(50, -6), wander(5, 0.2, 2)]));
      b.attachI2c(m);
      const pir = new PirModel({ pins: b.pins, gpio: 6, clock: b.clock, holdMs: 3000 });
      const walk = () => {
        pir.motion();
        b.clock.setTimeout(walk, 23_000);
      };
      b.clock.setTimeout(walk, 5000);
    },
  },
  {
    name: 'desk',
    board: 'esp32-s3-devkitc-1',
    sensors: [
      { name: 'bh1750', driver: 'bh1750', i2c: { address: 0x23 }, intervalMs: 2000 },
      { name: 'button', driver: 'button', pin: 7, intervalMs: 1000 },
    ],
    wire: (b) => {
      const m = new Bh1750Model(b.clock, 0x23);
      m.setSignal('illuminance', sum([daily(350, 300), wander(6, 5, 60)]));
      b.attachI2c(m);
      const button = new ButtonModel({ pins: b.pins, gpio: 7, clock: b.clock });
      const press = () => {
        button.click(120);
        b.clock.setTimeout(press, 41_000);
      };
      b.clock.setTimeout(press, 9000);
    },
  },
];
