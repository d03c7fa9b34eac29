import { networkInterfaces } from 'node:os';
import type { IoError } from '../contracts/errors.js';
import { checkFunction, checkInt, checkObject } from '../contracts/check-options.js';
import { parseIpv4 } from '../contracts/check-udp-options.js';

/** Datagrams kept unread by default; beyond it the oldest is dropped (and counted). */
const UDP_QUEUE_LIMIT = 256;

/** What only a host caller of hal/linux/linux-udp.ts chooses (not part of the contract's options). */
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

export interface CheckedUdpHostOptions {
  interfaces: readonly string[] | undefined;
  onError: ((error: IoError) => void) | undefined;
  queueLimit: number;
}

export function checkUdpHostOptions(host: LinuxUdpHostOptions): CheckedUdpHostOptions {
  checkObject('host', host);
  if (host.interfaces !== undefined) {
    if (!Array.isArray(host.interfaces)) throw new TypeError('interfaces must be an array of IPv4 addresses');
    for (const a of host.interfaces) if (typeof a !== 'string' || !parseIpv4(a)) throw new RangeError(`interfaces must hold IPv4 addresses, got ${String(a)}`);
  }
  return {
    interfaces: host.interfaces,
    onError: host.onError === undefined ? undefined : (checkFunction('onError', host.onError) as (error: IoError) => void),
    queueLimit: host.queueLimit === undefined ? UDP_QUEUE_LIMIT : checkInt('queueLimit', host.queueLimit, 1, 65536),
  };
}

/** Every non-internal IPv4 interface address, where multicast groups are joined by default. */
export function hostIpv4Interfaces(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) out.push(i.address);
  return out;
}
