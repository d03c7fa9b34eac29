import { IoError } from '../../contracts/errors.js';
import { crc8 } from '../crc8.js';
import { AHT20_FRAME_BYTES } from './registers.js';

/**
 * AHT20 raw data → physical values, exactly as the datasheet gives them.
 * Frame (§7.4): status, RH[19:12], RH[11:4], RH[3:0]‖T[19:16], T[15:8],
 * T[7:0], CRC-8 over the first six bytes.
 */

export interface Aht20Frame {
  status: number;
  humidityTicks: number;
  temperatureTicks: number;
}

function hex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

/** Splits a 7-byte frame; IoError('crc') naming the bytes if the CRC fails. */
export function decodeAht20Frame(bytes: Uint8Array): Aht20Frame {
  if (bytes.length !== AHT20_FRAME_BYTES) throw new RangeError(`AHT20 frame must be ${AHT20_FRAME_BYTES} bytes, got ${bytes.length}`);
  const expected = crc8(bytes, 0, 6);
  if (bytes[6] !== expected) throw new IoError('crc', `AHT20 measurement: CRC 0x${hex([bytes[6]])} != 0x${hex([expected])} (bytes ${hex(bytes)})`);
  return {
    status: bytes[0],
    humidityTicks: (bytes[1] << 12) | (bytes[2] << 4) | (bytes[3] >> 4),
    temperatureTicks: ((bytes[3] & 0x0f) << 16) | (bytes[4] << 8) | bytes[5],
  };
}

/** §6.1: RH = S_RH / 2^20 · 100 %. */
export function aht20Humidity(ticks: number): number {
  return (ticks / 1048576) * 100;
}

/** §6.2: T = S_T / 2^20 · 200 − 50 °C. */
export function aht20Temperature(ticks: number): number {
  return (ticks / 1048576) * 200 - 50;
}
