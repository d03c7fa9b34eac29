import { FaztError, IoError } from '../contracts/errors.js';
import { checkDatagramArgs, checkUdpOptions } from '../contracts/check-udp-options.js';
import type { Datagram, UDP, UdpOptions } from '../contracts/io.js';

/**
 * The UDP contract over Moddable's embedded:io/socket/udp (ECMA-419 2nd ed.
 * §10.4 UDP socket; Moddable's modules/io/socket/lwip/udp.c, the esp32
 * build's). What Moddable's class does, and what the mapping does with it:
 *
 *  - options `port` (absent: any) and `timeToLive` (1–255; lwip applies it
 *    to every datagram the socket sends). The bind happens in the
 *    constructor. There is no local-port property, so our `port` is the
 *    requested one (0 for an ephemeral port).
 *  - multicast is a method, add(group), which joins on every netif
 *    (Moddable 2025 on; older builds lack it: IoError 'unsupported').
 *    With `multicast` we pass timeToLive 1 (ECMA-419 asks for one with a
 *    group), so the socket's datagrams stay on the LAN, as on the host.
 *  - `reuseAddr` has no lwip counterpart; on a device only the firmware
 *    listens, so it is accepted and ignored.
 *  - onReadable(count) is coalesced (one call for several arrivals; count
 *    = every datagram waiting, announced before or not). We keep how many
 *    announced datagrams are still unread and call our onReadable once per
 *    new one, as the host does.
 *  - read() returns an ArrayBuffer carrying `address` and `port`; we make it
 *    a Datagram.
 *  - write(buffer, address, port) throws "UDP send failed" when lwip refuses
 *    (no route, no buffer). Delivery is best effort on every backend, so the
 *    failure is counted in `unsent`, not thrown. (Moddable before the 2025
 *    change took write(address, port, buffer).)
 */
export interface Ecma419UDP {
  read(): (ArrayBuffer & { address: string; port: number }) | undefined;
  write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void;
  /** Joins a multicast group on every interface (absent in older Moddable builds). */
  add?(group: string): void;
  close(): void;
}

export interface Ecma419UDPClass {
  new (options: { port?: number; timeToLive?: number; onReadable?: (count: number) => void }): Ecma419UDP;
}

/** Our UDP on Moddable, plus the count of datagrams the network refused. */
export interface ModdableUdp extends UDP {
  readonly unsent: number;
}

function nativeError(what: string, e: unknown): Error {
  if (e instanceof FaztError || e instanceof TypeError || e instanceof RangeError) return e;
  const message = (e as Error).message ?? String(e);
  return new IoError(/bind/i.test(message) ? 'in-use' : 'absent', `${what}: ${message}`, { cause: e });
}

export function openModdableUdp(U: Ecma419UDPClass | undefined, options: UdpOptions): ModdableUdp {
  const o = checkUdpOptions(options);
  if (!U) throw new IoError('unsupported', 'this build maps no embedded:io/socket/udp');
  const what = `UDP port ${o.port}`;
  let closed = false;
  let unsent = 0;
  /** Datagrams announced to onReadable and not read yet. */
  let announced = 0;
  const onReadable = o.onReadable;
  const native: { port: number; timeToLive?: number; onReadable?: (count: number) => void } = { port: o.port };
  if (o.multicast) native.timeToLive = 1;
  if (onReadable) {
    native.onReadable = (count) => {
      const fresh = count - announced;
      announced = count;
      for (let i = 0; i < fresh && !closed; i++) onReadable();
    };
  }
  let io: Ecma419UDP;
  try {
    io = new U(native);
  } catch (e) {
    throw nativeError(what, e);
  }
  if (o.multicast) {
    const group = o.multicast;
    try {
      if (typeof io.add !== 'function') throw new IoError('unsupported', `${what}: this Moddable build cannot join multicast groups (UDP add() is missing)`);
      io.add(group);
    } catch (e) {
      io.close();
      throw nativeError(`${what}: joining ${group}`, e);
    }
  }
  const live = () => {
    if (closed) throw new IoError('closed', `${what} used after close`);
  };
  return {
    port: o.port,
    get unsent() {
      return unsent;
    },
    read(): Datagram | undefined {
      live();
      const b = io.read();
      if (b === undefined || b === null) return undefined;
      if (announced > 0) announced--;
      return { bytes: new Uint8Array(b), address: b.address, port: b.port };
    },
    write(bytes, address, port) {
      live();
      checkDatagramArgs(bytes, address, port);
      try {
        io.write(bytes, address, port);
      } catch {
        unsent++;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      io.close();
    },
  };
}
