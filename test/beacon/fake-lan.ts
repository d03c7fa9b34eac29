import { IoError } from '../../hal/contracts/errors.js';
import type { Datagram, UDP, UdpOptions } from '../../hal/contracts/io.js';
import type { HalTime } from '../../hal/contracts/time.js';

/**
 * An in-memory LAN for UDP: hosts by IPv4 address, each with the contract's
 * udp(options). A datagram to a multicast group reaches every socket on the
 * LAN bound to that port and joined to the group (the sender's own included,
 * as IP_MULTICAST_LOOP does); a unicast datagram reaches the socket bound to
 * that port on that host (the last bound, when several share it, as Linux
 * does for SO_REUSEADDR). Delivery happens `latencyMs` later on the injected
 * clock. Back doors: drop(), to lose datagrams, and `log` of what was sent.
 */
interface FakeSocket {
  host: string;
  port: number;
  group: string | undefined;
  queue: Datagram[];
  onReadable: (() => void) | undefined;
  closed: boolean;
}

export interface SentDatagram {
  from: string;
  fromPort: number;
  to: string;
  toPort: number;
  text: string;
}

const isMulticast = (a: string): boolean => {
  const n = Number(a.split('.')[0]);
  return n >= 224 && n <= 239;
};

export class FakeLan {
  readonly log: SentDatagram[] = [];
  /** Return true to lose a datagram. */
  drop: (d: SentDatagram) => boolean = () => false;
  private readonly sockets: FakeSocket[] = [];
  private nextPort = 49152;

  constructor(
    private readonly time: HalTime,
    private readonly latencyMs = 1,
  ) {}

  /** Open sockets (a test checks that everything was closed). */
  get open(): number {
    return this.sockets.length;
  }

  /** HalBackend.udp for the host at `address`. */
  host(address: string): (options: UdpOptions) => UDP {
    return (options) => this.bind(address, options);
  }

  private bind(host: string, o: UdpOptions): UDP {
    let port = o.port ?? 0;
    if (port === 0) port = this.nextPort++;
    const same = this.sockets.filter((s) => s.host === host && s.port === port);
    if (same.length && !o.reuseAddr) throw new IoError('in-use', `${host}:${port} is in use`);
    const s: FakeSocket = { host, port, group: o.multicast, queue: [], onReadable: o.onReadable, closed: false };
    this.sockets.push(s);
    const check = (): void => {
      if (s.closed) throw new IoError('closed', 'socket is closed');
    };
    return {
      port,
      read: () => {
        check();
        return s.queue.shift();
      },
      write: (bytes, address, toPort) => {
        check();
        const d: SentDatagram = { from: host, fromPort: port, to: address, toPort, text: new TextDecoder().decode(bytes) };
        this.log.push(d);
        if (this.drop(d)) return;
        const copy = Uint8Array.from(bytes);
        this.time.setTimeout(() => this.deliver(d, copy), this.latencyMs);
      },
      close: () => {
        if (s.closed) return;
        s.closed = true;
        this.sockets.splice(this.sockets.indexOf(s), 1);
      },
    };
  }

  private deliver(d: SentDatagram, bytes: Uint8Array): void {
    let to: FakeSocket[];
    if (isMulticast(d.to)) to = this.sockets.filter((s) => s.port === d.toPort && s.group === d.to);
    else {
      const bound = this.sockets.filter((s) => s.host === d.to && s.port === d.toPort);
      to = bound.length ? [bound[bound.length - 1]] : [];
    }
    for (const s of to) {
      s.queue.push({ bytes: Uint8Array.from(bytes), address: d.from, port: d.fromPort });
      s.onReadable?.();
    }
  }
}
