import { isIP } from 'node:net';

/**
 * Whether an address is the machine's own: 127.0.0.0/8, ::1, an IPv4-mapped
 * loopback address, or the name localhost. Listening on anything else
 * (0.0.0.0 included) reaches the LAN, so the hub serves HTTPS there.
 */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  const v4 = a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(a) === 6 && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(a);
}
