import { checkFunction, checkInt, checkObject } from './check-options.js';
import type { UdpOptions } from './io.js';

/**
 * The UDP contract's argument checks, shared by every backend so a bad
 * option or a bad write fails the same way on the host, in the simulator and
 * on Moddable: TypeError for a wrong type, RangeError for a value out of
 * range, each naming the argument. Addresses are IPv4 dotted quads only
 * (no names: a node has no resolver on this path).
 */
export interface CheckedUdpOptions {
  /** 0: any free port. */
  port: number;
  multicast: string | undefined;
  reuseAddr: boolean;
  onReadable: (() => void) | undefined;
}

/** The four numbers of a dotted-quad IPv4 address, or undefined when `s` is not one. */
export function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function checkIpv4(name: string, v: unknown): number[] {
  if (typeof v !== 'string') throw new TypeError(`${name} must be an IPv4 address string, got ${typeof v}`);
  const a = parseIpv4(v);
  if (!a) throw new RangeError(`${name} must be a dotted-quad IPv4 address, got '${v}'`);
  return a;
}

/** Multicast groups are 224.0.0.0/4 (RFC 5771). */
export function isIpv4Multicast(address: string): boolean {
  const a = parseIpv4(address);
  return a !== undefined && a[0] >= 224 && a[0] <= 239;
}

export function checkUdpOptions(options: UdpOptions): CheckedUdpOptions {
  checkObject('options', options);
  const port = options.port === undefined ? 0 : checkInt('port', options.port, 0, 65535);
  let multicast: string | undefined;
  if (options.multicast !== undefined) {
    const a = checkIpv4('multicast', options.multicast);
    if (a[0] < 224 || a[0] > 239) throw new RangeError(`multicast must be an IPv4 multicast group (224.0.0.0 to 239.255.255.255), got '${options.multicast}'`);
    multicast = options.multicast as string;
  }
  if (options.reuseAddr !== undefined && typeof options.reuseAddr !== 'boolean') throw new TypeError('reuseAddr must be a boolean');
  const onReadable = options.onReadable === undefined ? undefined : (checkFunction('onReadable', options.onReadable) as () => void);
  return { port, multicast, reuseAddr: options.reuseAddr === true, onReadable };
}

/** write(bytes, address, port)'s arguments; a datagram over 65507 bytes cannot be sent over IPv4. */
export function checkDatagramArgs(bytes: unknown, address: unknown, port: unknown): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length > 65507) throw new RangeError(`bytes must be at most 65507 long (one IPv4 datagram), got ${bytes.length}`);
  checkIpv4('address', address);
  checkInt('port', port, 1, 65535);
}
