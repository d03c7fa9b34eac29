import { FaztError } from '../../hal/contracts/errors.js';
import type { Datagram, UDP } from '../../hal/contracts/io.js';
import type { Timers } from '../../hal/contracts/time.js';

/** Datagrams taken in one turn: a flood cannot hold the node's only thread. */
const DRAIN_LIMIT = 64;

/**
 * Reads what waits on `socket` while `open()` holds, handing each datagram
 * to `take`: at most 64 in one turn, then it comes back for the rest on a
 * 0 ms timer. A socket closed under it ends the drain.
 */
export function drainUdp(socket: UDP, timers: Timers, open: () => boolean, take: (d: Datagram) => void): void {
  for (let n = 0; n < DRAIN_LIMIT; n++) {
    if (!open()) return;
    let d: Datagram | undefined;
    try {
      d = socket.read();
    } catch (e) {
      if (e instanceof FaztError) return; // closed under us
      throw e;
    }
    if (!d) return;
    take(d);
  }
  timers.setTimeout(() => drainUdp(socket, timers, open, take), 0);
}
