import type { SensorConfig } from '../../firmware/sensing/open-sensor.js';
import { MODELS } from '../models/model-registry.js';
import type { SimBoard } from '../world/sim-board.js';

/** How often someone walks past a PIR or presses a button (first after, then every), so a tried node shows events within a minute. */
const RHYTHM: Record<string, { firstMs: number; everyMs: number }> = { pir: { firstMs: 5000, everyMs: 45_000 }, button: { firstMs: 9000, everyMs: 41_000 } };

/**
 * The device models behind a node configuration's sensors, as the demo
 * nodes wire theirs (sim/node/demo-nodes.ts), taken from the scenario
 * registry (sim/models/model-registry.ts): each I2C chip at its address on
 * its bus, each pin sensor on its GPIO with motion or presses on a rhythm.
 * Outputs need no model: the board's pins record what the node drives.
 */
export function configDevices(sensors: readonly SensorConfig[]): (board: SimBoard) => void {
  return (board) => {
    for (const s of sensors) {
      const entry = MODELS[s.driver];
      if (!entry) continue; // an output (digital-output, buzzer)
      if (entry.kind === 'i2c' && s.i2c) {
        const model = entry.create(s.i2c.address, board.clock, {});
        board.attachI2c(model, { sda: s.i2c.sda, scl: s.i2c.scl });
        board.devices.set(s.name, model);
      } else if (entry.kind === 'pin' && s.pin !== undefined) {
        // The wiring the driver is told of (activeLow, holdMs) is the wiring the model has.
        const model = entry.create({ pins: board.pins, gpio: s.pin, clock: board.clock, params: s.options ?? {} });
        board.devices.set(s.name, model);
        const rhythm = RHYTHM[s.driver];
        if (!rhythm) continue;
        const tick = () => {
          model.eventAt(board.clock.now());
          board.clock.setTimeout(tick, rhythm.everyMs);
        };
        board.clock.setTimeout(tick, rhythm.firstMs);
      }
    }
  };
}
