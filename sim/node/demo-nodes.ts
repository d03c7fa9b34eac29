import { sine, sum, randomWalk, type Signal } from '../environment/signals.js';
import { Bh1750Model } from '../models/bh1750-model.js';
import { Bme280Model } from '../models/bme280-model.js';
import { ButtonModel } from '../models/button-model.js';
import { PirModel } from '../models/pir-model.js';
import { Sht4xModel } from '../models/sht4x-model.js';
import type { SimBoard } from '../world/sim-board.js';
import type { SensorConfig } from '../../firmware/sensing/open-sensor.js';
import type { SimHealthModel } from '../../hal/sim/sim-health.js';

/**
 * The three nodes `npm start` runs: an esp32-devkitc with a BME280, an
 * esp32-c3 with an SHT4x and a PIR, an esp32-s3 with a BH1750, a button and
 * an LED. Their environment follows the time of day (signals of absolute
 * time), with a seeded wander on top; motion, presses and the living room's
 * heating come on a fixed rhythm from power-on, so the default rules
 * (host/effect/default-rules/) have something to act on within minutes.
 */
export interface DemoNode {
  name: string;
  board: string;
  sensors: SensorConfig[];
  /** How long the node goes without asking for commands (uplink.downlinkPollMs; default the firmware's). */
  downlinkPollMs?: number;
  /** The board's heap and signal as its system.health reports them (Pulse judges them). */
  health: SimHealthModel;
  wire: (board: SimBoard) => void;
}

const DAY = 86_400_000;
// sine() starts at mean and rises; a phase of 0.375 puts the peak at 21:00 UTC, the low at 09:00.
const daily = (mean: number, amplitude: number, phase = 0.375): Signal => sine(mean, amplitude, DAY, phase);
const wander = (seed: number, step: number, bound: number): Signal => randomWalk(seed, 0, step, 60_000, -bound, bound);

/**
 * A heating cycle, fast-forwarded for the demo: every `everyMs` from `startMs`
 * it takes the room to `setpoint` over `rampMs`, holds it there until `runMs`,
 * and lets it back to `room` over `rampMs`. Never cools a room already warmer.
 */
function heating(room: Signal, o: { startMs: number; everyMs: number; runMs: number; rampMs: number; setpoint: number }): Signal {
  return (t) => {
    const base = room(t);
    if (t < o.startMs) return base;
    const k = (t - o.startMs) % o.everyMs;
    const share = k < o.rampMs ? k / o.rampMs : k < o.runMs ? 1 : Math.max(0, 1 - (k - o.runMs) / o.rampMs);
    return base + share * Math.max(0, o.setpoint - base);
  };
}

/**
 * The living room: 21.5 °C ± 2 over the day, and from 10 s after power-on, every 30 min,
 * the heating runs 4 min towards 24 °C, so the room passes 22.5 °C (its daily mean + 1,
 * the default rule's threshold) within a minute whatever the time of day.
 */
export function livingRoomTemperature(poweredOn: number): Signal {
  const room = sum([daily(21.5, 2), wander(1, 0.05, 0.6)]);
  return heating(room, { startMs: poweredOn + 10_000, everyMs: 1_800_000, runMs: 240_000, rampMs: 40_000, setpoint: 24 });
}

export const DEMO_NODES: DemoNode[] = [
  {
    name: 'living-room',
    board: 'esp32-devkitc',
    sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 2000, options: { pressureOversampling: 4 } }],
    health: { heapBytes: 182_000, largestBlockShare: 0.6, rssi: -58, resetReason: 'power-on' },
    wire: (b) => {
      const m = new Bme280Model(0x76, b.clock);
      m.setSignal('temperature', livingRoomTemperature(b.clock.now()));
      m.setSignal('humidity', sum([daily(45, -7), wander(2, 0.2, 3)]));
      m.setSignal('pressure', sum([daily(101_300, 120, 0.1), wander(3, 4, 200)]));
      b.attachI2c(m);
      b.devices.set('bme280', m);
    },
  },
  {
    name: 'hallway',
    board: 'esp32-c3-devkitm-1',
    sensors: [
      { name: 'sht4x', driver: 'sht4x', i2c: { address: 0x44 }, intervalMs: 2000 },
      { name: 'pir', driver: 'pir', pin: 6, intervalMs: 1000, options: { holdMs: 3000 } },
    ],
    health: { heapBytes: 151_000, largestBlockShare: 0.7, rssi: -67, resetReason: 'power-on' },
    wire: (b) => {
      const m = new Sht4xModel(0x44, b.clock);
      m.setSignal('temperature', sum([daily(19, 1.5), wander(4, 0.05, 0.5)]));
      m.setSignal('humidity', sum([daily(50, -6), wander(5, 0.2, 2)]));
      b.attachI2c(m);
      const pir = new PirModel({ pins: b.pins, gpio: 6, clock: b.clock, holdMs: 3000 });
      b.devices.set('sht4x', m).set('pir', pir);
      // Someone walks by 5 s after power-on, then every 45 s: the desk LED's 30 s pulse is seen to end.
      const walk = () => {
        pir.motion();
        b.clock.setTimeout(walk, 45_000);
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
      // An LED on GPIO 21 (a plain output pin, no strapping); rules switch it through the downlink.
      { name: 'led', driver: 'digital-output', pin: 21, intervalMs: 3_600_000 },
    ],
    downlinkPollMs: 2000,
    health: { heapBytes: 264_000, largestBlockShare: 0.8, rssi: -52, resetReason: 'power-on' },
    wire: (b) => {
      const m = new Bh1750Model(b.clock, 0x23);
      m.setSignal('illuminance', sum([daily(350, 300), wander(6, 5, 60)]));
      b.attachI2c(m);
      const button = new ButtonModel({ pins: b.pins, gpio: 7, clock: b.clock });
      b.devices.set('bh1750', m).set('button', button);
      const press = () => {
        button.click(120);
        b.clock.setTimeout(press, 41_000);
      };
      b.clock.setTimeout(press, 9000);
    },
  },
];
