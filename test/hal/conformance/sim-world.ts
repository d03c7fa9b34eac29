import { getBoard } from '../../../host/boards/board-registry.js';
import { RegisterFileModel } from '../../../sim/models/register-file-model.js';
import { SimBoard } from '../../../sim/world/sim-board.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { REG_DEVICE, type ConformanceWorld } from './cases.js';

/** A fresh esp32-devkitc in the simulator, with the register device the cases expect. */
export function simWorld(): { world: ConformanceWorld; board: SimBoard; clock: VirtualClock } {
  const clock = new VirtualClock();
  const board = new SimBoard('conformance', getBoard('esp32-devkitc'), clock);
  const device = new RegisterFileModel(REG_DEVICE, clock);
  board.attachI2c(device);
  const world: ConformanceWorld = {
    backend: board.backend,
    clock,
    nackNext: (address, n) => board.bus().device(address)?.nackNext(n),
    setBusStuck: (stuck) => void (board.bus().stuck = stuck),
    unplug: (address) => board.bus().device(address)?.unplug(),
    replug: (address) => board.bus().device(address)?.replug(),
    setLevel: (pin, level) => board.pins.setLevel(pin, level),
    driven: (pin) => board.pins.driven(pin),
  };
  return { world, board, clock };
}
