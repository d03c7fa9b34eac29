import { PinClaims } from '../../../hal/board/pin-claims.js';
import type { UdpOptions } from '../../../hal/contracts/io.js';
import { LinuxUdp } from '../../../hal/linux/linux-udp.js';
import { createModdableBackend } from '../../../hal/moddable/moddable-backend.js';
import { ecma419SimClasses } from '../../../sim/moddable/ecma419-sim.js';
import { getBoard } from '../../../host/boards/board-registry.js';
import { RegisterFileModel } from '../../../sim/models/register-file-model.js';
import { SimBoard } from '../../../sim/world/sim-board.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { REG_DEVICE, type ConformanceWorld } from './case-support.js';

/**
 * A fresh esp32-devkitc in the simulator, with the register device the cases
 * expect, on a network that is the host's loopback only (multicast joined
 * and sent on 127.0.0.1: nothing leaves the machine). dispose() closes every
 * socket the world opened, so a failing case leaks none.
 */
export function simWorld(backend: 'sim' | 'moddable' = 'sim'): { world: ConformanceWorld; board: SimBoard; clock: VirtualClock; dispose: () => void } {
  const clock = new VirtualClock();
  const sockets: LinuxUdp[] = [];
  const loopback = (o: UdpOptions): LinuxUdp => {
    const s = new LinuxUdp(o, { interfaces: ['127.0.0.1'] });
    sockets.push(s);
    return s;
  };
  const board = new SimBoard('conformance', getBoard('esp32-devkitc'), clock, { udp: loopback });
  const device = new RegisterFileModel(REG_DEVICE, clock);
  board.attachI2c(device);
  const world: ConformanceWorld = {
    // The Moddable adapter gets its own claims: it is the only backend on that board.
    backend:
      backend === 'sim'
        ? board.backend
        : createModdableBackend(
            new PinClaims(board.board),
            ecma419SimClasses(board.pins, (sda, scl) => board.bus(sda, scl), loopback),
          ),
    clock,
    nackNext: (address, n) => board.bus().device(address)?.nackNext(n),
    setBusStuck: (stuck) => void (board.bus().stuck = stuck),
    unplug: (address) => board.bus().device(address)?.unplug(),
    replug: (address) => board.bus().device(address)?.replug(),
    setLevel: (pin, level) => board.pins.setLevel(pin, level),
    driven: (pin) => board.pins.driven(pin),
  };
  return { world, board, clock, dispose: () => sockets.forEach((s) => s.close()) };
}
