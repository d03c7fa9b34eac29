import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { IoError, type IoErrorCode } from '../../firmware/errors.js';
import { checkFunction, checkInt, checkObject } from '../contracts/check-options.js';
import { checkDatagramArgs, checkUdpOptions, isIpv4Multicast, parseIpv4 } from '../contracts/check-udp-options.js';
import type { Datagram, UDP, UdpOptions } from '../contracts/io.js';
import { assertOpen, FaultLatch } from './linux-context.js';

/** Datagrams kept unread by default; beyond it the oldest is dropped (and counted). */
export const UDP_QUEUE_LIMIT = 256;

/** What only a host caller chooses (not part of the contract's options). */
export interface LinuxUdpHostOptions {
  /**
   * Local IPv4 addresses to join multicast groups on; the first also sends
   * multicast (IP_MULTICAST_IF). Default: every non-internal IPv4 interface
   * joins, and the OS's route picks where multicast goes out. Tests pass
   * ['127.0.0.1'] to keep multicast on the loopback.
   */
  interfaces?: readonly string[];
  /** Faults between calls: a failed bind, a datagram the network refused, a group that could not be joined. */
  onError?: (error: IoError) => void;
  /** Most datagrams kept unread (default UDP_QUEUE_LIMIT), and most writes held until bound. */
  queueLimit?: number;
}

export interface UdpStats {
  received: number;
  /** Received, then dropped unread because the queue was full (the oldest goes). */
  dropped: number;
  sent: number;
  /** Writes that never left: refused by the network (no route, broadcast not allowed) or dropped before the bind finished. */
  unsent: number;
}

/** Every non-internal IPv4 interface address, where multicast groups are joined by default. */
export function hostIpv4Interfaces(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) out.push(i.address);
  return out;
}

function errnoOf(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

function bindErrorCode(errno: string | undefined): IoErrorCode {
  if (errno === 'EADDRINUSE') return 'in-use';
  if (errno === 'EACCES' || errno === 'EPERM') return 'unsupported';
  return 'absent';
}

/**
 * A UDP socket on the host's network (node:dgram, udp4), in the shape of the
 * UDP contract (ECMA-419 embedded:io/socket/udp). Bound to 0.0.0.0.
 *
 * The contract is synchronous but Node binds asynchronously, so:
 *  - the constructor returns at once; `ready` resolves when bound (rejects
 *    with IoError 'in-use' and the like when the bind fails);
 *  - `port` is the requested port until bound, then the bound one (an
 *    ephemeral port reads 0 until `ready`);
 *  - writes made before the bind finishes are held and sent, in order, once
 *    bound (at most queueLimit; beyond that the oldest is dropped, counted in
 *    stats.unsent);
 *  - a failed bind is handed to onError and thrown by the next read/write.
 *
 * Delivery is best effort, as UDP is: write() throws only for caller mistakes
 * (TypeError/RangeError) and after close (IoError 'closed'). A datagram the
 * network refuses (no route, EACCES for broadcast) is counted in
 * stats.unsent and reported to onError as IoError 'unreachable'; the socket
 * stays usable and the process does not crash.
 *
 * Multicast: outgoing TTL 1 and loopback on, for every socket (a node's
 * multicast stays on its LAN and other programs on the same host hear it).
 * `multicast` joins the group on every interface (see LinuxUdpHostOptions);
 * an interface that cannot join (ENODEV, EADDRNOTAVAIL) is skipped.
 *
 * Received datagrams queue (at most queueLimit; the oldest is dropped and
 * counted); onReadable is called once per datagram and read() takes them in
 * order.
 */
export class LinuxUdp implements UDP {
  readonly ready: Promise<void>;
  readonly stats: UdpStats = { received: 0, dropped: 0, sent: 0, unsent: 0 };
  private readonly socket: dgram.Socket;
  private readonly onReadable: (() => void) | undefined;
  private readonly onError: ((error: IoError) => void) | undefined;
  private readonly interfaces: readonly string[] | undefined;
  private readonly limit: number;
  private readonly faults: FaultLatch;
  private readonly inbox: Datagram[] = [];
  /** Writes held until bound; undefined once bound. */
  private held: { bytes: Buffer; address: string; port: number }[] | undefined = [];
  private readonly groups: string[] = [];
  private boundPort: number;
  private closed = false;
  private socketClosed = false;
  private settle: { resolve: () => void; reject: (e: IoError) => void } | undefined;

  constructor(options: UdpOptions, host: LinuxUdpHostOptions = {}) {
    const o = checkUdpOptions(options);
    checkObject('host', host);
    if (host.interfaces !== undefined) {
      if (!Array.isArray(host.interfaces)) throw new TypeError('interfaces must be an array of IPv4 addresses');
      for (const a of host.interfaces) if (typeof a !== 'string' || !parseIpv4(a)) throw new RangeError(`interfaces must hold IPv4 addresses, got ${String(a)}`);
    }
    this.interfaces = host.interfaces;
    this.onError = host.onError === undefined ? undefined : (checkFunction('onError', host.onError) as (error: IoError) => void);
    this.limit = host.queueLimit === undefined ? UDP_QUEUE_LIMIT : checkInt('queueLimit', host.queueLimit, 1, 65536);
    this.onReadable = o.onReadable;
    this.boundPort = o.port;
    this.faults = new FaultLatch(this.onError);
    if (o.multicast) this.groups.push(o.multicast);

    this.ready = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.ready.catch(() => undefined); // a caller that never awaits ready must not see an unhandled rejection
    this.socket = dgram.createSocket({ type: 'udp4', reuseAddr: o.reuseAddr });
    this.socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    this.socket.on('error', (e) => this.socketError(e));
    this.socket.once('listening', () => this.bound());
    this.socket.bind({ port: o.port, address: '0.0.0.0' });
  }

  get port(): number {
    return this.boundPort;
  }

  read(): Datagram | undefined {
    assertOpen(this.closed, 'UDP socket');
    this.faults.throwIfFaulted();
    return this.inbox.shift();
  }

  write(bytes: Uint8Array, address: string, port: number): void {
    assertOpen(this.closed, 'UDP socket');
    checkDatagramArgs(bytes, address, port);
    this.faults.throwIfFaulted();
    const copy = Buffer.from(bytes); // the caller may reuse its buffer before the send happens
    if (this.held) {
      if (this.held.length >= this.limit) {
        this.held.shift();
        this.stats.unsent++;
      }
      this.held.push({ bytes: copy, address, port });
      return;
    }
    this.send(copy, address, port);
  }

  /** Joins a multicast group (as the `multicast` option does); before the bind finishes it is joined once bound. */
  join(group: string): void {
    assertOpen(this.closed, 'UDP socket');
    if (typeof group !== 'string' || !isIpv4Multicast(group)) throw new RangeError(`group must be an IPv4 multicast group, got ${String(group)}`);
    if (this.groups.includes(group)) return;
    this.groups.push(group);
    if (!this.held) this.joinOnInterfaces(group);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.length = 0;
    this.held = undefined;
    this.settle?.reject(new IoError('closed', 'UDP socket closed before it was bound'));
    this.settle = undefined;
    this.closeSocket();
  }

  private closeSocket(): void {
    if (this.socketClosed) return;
    this.socketClosed = true;
    try {
      this.socket.close();
    } catch {
      // already closed by Node after a failed bind
    }
  }

  private bound(): void {
    if (this.closed) return;
    this.boundPort = this.socket.address().port;
    try {
      this.socket.setMulticastTTL(1);
      this.socket.setMulticastLoopback(true);
      if (this.interfaces && this.interfaces.length > 0) this.socket.setMulticastInterface(this.interfaces[0]);
    } catch (e) {
      this.report(new IoError('unsupported', `UDP port ${this.boundPort}: multicast settings refused (${errnoOf(e) ?? (e as Error).message})`, { cause: e }));
    }
    for (const g of this.groups) this.joinOnInterfaces(g);
    const held = this.held ?? [];
    this.held = undefined;
    for (const w of held) this.send(w.bytes, w.address, w.port);
    this.settle?.resolve();
    this.settle = undefined;
  }

  private joinOnInterfaces(group: string): void {
    const list = this.interfaces ?? hostIpv4Interfaces();
    // No interface at all: let the OS pick (it fails without a route; unicast still works).
    const targets: (string | undefined)[] = list.length > 0 ? [...list] : [undefined];
    for (const iface of targets) {
      try {
        if (iface === undefined) this.socket.addMembership(group);
        else this.socket.addMembership(group, iface);
      } catch (e) {
        const errno = errnoOf(e);
        if (iface !== undefined && (errno === 'ENODEV' || errno === 'EADDRNOTAVAIL')) continue; // the interface went away or has no multicast
        this.report(new IoError('unreachable', `UDP port ${this.boundPort}: cannot join ${group}${iface ? ` on ${iface}` : ''} (${errno ?? (e as Error).message})`, { cause: e }));
      }
    }
  }

  private send(bytes: Buffer, address: string, port: number): void {
    this.socket.send(bytes, port, address, (err) => {
      if (!err) {
        this.stats.sent++;
        return;
      }
      this.stats.unsent++;
      if (!this.closed) this.report(new IoError('unreachable', `UDP send to ${address}:${port} failed (${errnoOf(err) ?? err.message})`, { cause: err }));
    });
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.closed) return;
    this.stats.received++;
    if (this.inbox.length >= this.limit) {
      this.inbox.shift();
      this.stats.dropped++;
    }
    this.inbox.push({ bytes: new Uint8Array(msg), address: rinfo.address, port: rinfo.port });
    this.onReadable?.();
  }

  private socketError(e: Error): void {
    if (this.closed) return;
    if (this.held) {
      // The bind failed: the socket is unusable. Report it, fail `ready`, and throw it from the next call.
      const fault = new IoError(bindErrorCode(errnoOf(e)), `UDP bind to port ${this.boundPort} failed (${errnoOf(e) ?? e.message})`, { cause: e });
      this.stats.unsent += this.held.length;
      this.held = [];
      this.faults.report(fault);
      this.settle?.reject(fault);
      this.settle = undefined;
      this.closeSocket();
      return;
    }
    this.report(new IoError('unreachable', `UDP port ${this.boundPort}: ${errnoOf(e) ?? e.message}`, { cause: e }));
  }

  private report(e: IoError): void {
    this.onError?.(e);
  }
}
