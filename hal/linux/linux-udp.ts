import dgram from 'node:dgram';
import { IoError, type IoErrorCode } from '../contracts/errors.js';
import { checkDatagramArgs, checkUdpOptions, isIpv4Multicast } from '../contracts/check-udp-options.js';
import type { Datagram, UDP, UdpOptions } from '../contracts/io.js';
import { assertOpen, FaultLatch } from './linux-context.js';
import { checkUdpHostOptions, hostIpv4Interfaces, type LinuxUdpHostOptions } from './udp-host-options.js';

export { hostIpv4Interfaces, type LinuxUdpHostOptions } from './udp-host-options.js';

export interface UdpStats {
  received: number;
  /** Received, then dropped unread because the queue was full (the oldest goes). */
  dropped: number;
  sent: number;
  /** Writes that never left: refused by the network (no route, broadcast not allowed) or dropped before the bind finished. */
  unsent: number;
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
 * A UDP socket on the host's network (node:dgram, udp4, bound to 0.0.0.0),
 * in the shape of the UDP contract (ECMA-419 embedded:io/socket/udp). Host
 * options (multicast interfaces, onError, queueLimit): udp-host-options.ts.
 *
 * The contract is synchronous; Node binds asynchronously. So the constructor
 * returns at once and `ready` resolves when bound (rejects with IoError
 * 'in-use' and the like when the bind fails, 'closed' when closed first);
 * `port` is the requested port until bound (an ephemeral one reads 0 until
 * `ready`); writes made before the bind finishes are held and sent in order
 * once bound (at most queueLimit: beyond, the oldest is dropped and counted
 * in stats.unsent); a failed bind goes to onError and is thrown by the next
 * read/write. close() takes effect at once for the caller (no more
 * onReadable, calls throw 'closed'), but what was written before it is still
 * sent: the socket itself closes when those sends are done.
 *
 * Delivery is best effort: write() throws only for caller mistakes
 * (TypeError/RangeError) and after close. A datagram the network refuses (no
 * route, EACCES for broadcast) is counted in stats.unsent and reported to
 * onError as IoError 'unreachable'; nothing crashes, the socket carries on.
 *
 * Multicast: outgoing TTL 1 and loopback on for every socket (it stays on
 * the LAN; other programs on this host hear it). `multicast` joins the group
 * on every interface (LinuxUdpHostOptions.interfaces); an interface that
 * cannot (ENODEV, EADDRNOTAVAIL) is skipped.
 *
 * Received datagrams queue (at most queueLimit; the oldest is dropped and
 * counted); onReadable is called once per datagram; read() takes them in order.
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
  /** Writes held while binding; undefined once bound (or the bind failed). */
  private held: { bytes: Buffer; address: string; port: number }[] | undefined = [];
  private readonly groups: string[] = [];
  private boundPort: number;
  private inFlight = 0;
  private closed = false;
  private socketClosed = false;
  private settle: { resolve: () => void; reject: (e: IoError) => void } | undefined;

  constructor(options: UdpOptions, host: LinuxUdpHostOptions = {}) {
    const o = checkUdpOptions(options);
    const h = checkUdpHostOptions(host);
    this.interfaces = h.interfaces;
    this.onError = h.onError;
    this.limit = h.queueLimit;
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
    if (!this.held) return this.send(copy, address, port);
    if (this.held.length >= this.limit) {
      this.held.shift();
      this.stats.unsent++;
    }
    this.held.push({ bytes: copy, address, port });
  }

  /** Joins a multicast group (as the `multicast` option does); while binding, it is joined once bound. */
  join(group: string): void {
    assertOpen(this.closed, 'UDP socket');
    this.faults.throwIfFaulted();
    if (typeof group !== 'string' || !isIpv4Multicast(group)) throw new RangeError(`group must be an IPv4 multicast group, got ${String(group)}`);
    if (this.groups.includes(group)) return;
    this.groups.push(group);
    if (!this.held) this.joinOnInterfaces(group);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.length = 0;
    this.settle?.reject(new IoError('closed', 'UDP socket closed before it was bound'));
    this.settle = undefined;
    this.closeWhenIdle();
  }

  /** Closes the socket once closed by the caller, bound, and every send has finished. */
  private closeWhenIdle(): void {
    if (!this.closed || this.held || this.inFlight > 0 || this.socketClosed) return;
    this.socketClosed = true;
    this.socket.close();
  }

  private bound(): void {
    this.boundPort = this.socket.address().port;
    try {
      this.socket.setMulticastTTL(1);
      this.socket.setMulticastLoopback(true);
      if (this.interfaces && this.interfaces.length > 0) this.socket.setMulticastInterface(this.interfaces[0]);
    } catch (e) {
      this.report(new IoError('unsupported', `UDP port ${this.boundPort}: multicast settings refused (${errnoOf(e) ?? (e as Error).message})`, { cause: e }));
    }
    if (!this.closed) for (const g of this.groups) this.joinOnInterfaces(g);
    const held = this.held ?? [];
    this.held = undefined;
    for (const w of held) this.send(w.bytes, w.address, w.port);
    this.settle?.resolve();
    this.settle = undefined;
    this.closeWhenIdle();
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
        if (iface !== undefined && (errno === 'ENODEV' || errno === 'EADDRNOTAVAIL')) continue;
        this.report(
          new IoError('unreachable', `UDP port ${this.boundPort}: cannot join ${group}${iface ? ` on ${iface}` : ''} (${errno ?? (e as Error).message})`, {
            cause: e,
          }),
        );
      }
    }
  }

  private send(bytes: Buffer, address: string, port: number): void {
    this.inFlight++;
    this.socket.send(bytes, port, address, (err) => {
      this.inFlight--;
      if (err) {
        this.stats.unsent++;
        this.report(new IoError('unreachable', `UDP send to ${address}:${port} failed (${errnoOf(err) ?? err.message})`, { cause: err }));
      } else this.stats.sent++;
      this.closeWhenIdle();
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
    const errno = errnoOf(e);
    if (!this.held) return this.report(new IoError('unreachable', `UDP port ${this.boundPort}: ${errno ?? e.message}`, { cause: e }));
    // The bind failed: the socket is unusable. Report it, fail `ready`, throw it from the next call.
    const fault = new IoError(bindErrorCode(errno), `UDP bind to port ${this.boundPort} failed (${errno ?? e.message})`, { cause: e });
    this.stats.unsent += this.held.length;
    this.held = undefined;
    if (!this.closed) this.faults.report(fault);
    this.settle?.reject(fault);
    this.settle = undefined;
    this.socketClosed = true;
    try {
      this.socket.close();
    } catch {
      // Node may have closed it already after the failed bind
    }
  }

  /** Faults between calls go to onError; none after close (ECMA-419: no callbacks once closed). */
  private report(e: IoError): void {
    if (!this.closed) this.onError?.(e);
  }
}
