import { PinClaims } from '../../../hal/board/pin-claims.js';
import { createModdableBackend } from '../../../hal/moddable/moddable-backend.js';
import { ecma419SimClasses } from '../../../sim/moddable/ecma419-sim.js';
import { getBoard } from '../../../host/boards/board-registry.js';
import { RegisterFileModel } from '../../../sim/models/register-file-model.js';
import { SimBoard } from '../../../sim/world/sim-board.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { REG_DEVICE, type ConformanceWorld } from './cases.js';

/** A fresh esp32-devkitc in the simulator, with the register device the cases expect. */
export function simWorld(backend: 'sim' | 'moddable' = 'sim'): { world: ConformanceWorld; board: SimBoard; clock: VirtualClock } {
  const clock = new VirtualClock();
  const board = new SimBoard('conformance', getBoard('esp32-devkitc'), clock);
  const device = new RegisterFileModel(REG_DEVICE, clock);
  board.attachI2c(device);
  const world: ConformanceWorld = {
    // The Moddable adapter gets its own claims: it is the only backend on that board.
    backend: backend === 'sim' ? board.backend : createModdableBackend(new PinClaims(board.board), ecma419SimClasses(board.pins, (sda, scl) => board.bus(sda, scl))),
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
