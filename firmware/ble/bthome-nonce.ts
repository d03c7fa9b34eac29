import { BthomeError } from './bthome-error.js';

/**
 * The AES-CCM nonce of an encrypted BTHome v2 packet (bthome.io/encryption):
 * the device's MAC (6 bytes, in the order it is written), the UUID 0xFCD2
 * little-endian (D2 FC), the device information byte and the 4-byte counter
 * as sent (little-endian): 13 bytes.
 */
export function bthomeNonce(mac: Uint8Array, deviceInfo: number, counter: number): Uint8Array {
  const n = new Uint8Array(13);
  n.set(mac, 0);
  n[6] = 0xd2;
  n[7] = 0xfc;
  n[8] = deviceInfo;
  n[9] = counter & 0xff;
  n[10] = (counter >>> 8) & 0xff;
  n[11] = (counter >>> 16) & 0xff;
  n[12] = (counter >>> 24) & 0xff;
  return n;
}

/** "AA:BB:CC:DD:EE:FF" (colons, dashes or nothing between the bytes) as six bytes. */
export function parseMac(mac: string): Uint8Array {
  const hex = mac.replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) throw new BthomeError('bad-mac', `MAC address "${mac}" is not six hex bytes (AA:BB:CC:DD:EE:FF)`);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
