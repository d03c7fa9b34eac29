import { readFileSync } from 'node:fs';
import type { Scenario } from '../../sim/scenario/scenario.js';

/** sim/scenarios/c3-room.json: SHT4x, BH1750 on a light ramp, a PIR, and faults (unplug at 10 min for 2 min, CRC bursts, a spike, a stuck bus). */
export function c3Room(): Scenario {
  return JSON.parse(readFileSync(new URL('../../sim/scenarios/c3-room.json', import.meta.url), 'utf8')) as Scenario;
}

/** A desk with two buttons: clicks 300 ms apart (a double), lone clicks, a triple, and a 1.5 s hold (a long press). */
export function buttons(): Scenario {
  return {
    name: 'buttons',
    seed: 3,
    start: '2026-01-01T00:00:00Z',
    boards: [
      {
        name: 'desk',
        board: 'esp32-s3-devkitc-1',
        devices: [
          { name: 'key', model: 'button', pin: 7, events: [60_000, 60_300, 120_000, 180_000, 180_250, 180_500] },
          { name: 'hold', model: 'button', pin: 16, events: [240_000], params: { holdMs: 1500 } },
        ],
        sensors: [
          { name: 'button', driver: 'button', pin: 7, intervalMs: 1000 },
          { name: 'hold', driver: 'button', pin: 16, intervalMs: 1000 },
        ],
      },
    ],
  } as Scenario;
}
