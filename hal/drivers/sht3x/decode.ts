import { IoError } from '../../contracts/errors.js';
import { crc8 } from '../crc8.js';

/**
 * SHT3x raw data → physical values, exactly as the datasheet gives them.
 * Every 16-bit word the chip sends is followed by its CRC-8 (§4.12).
 */

function hex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

/** The words in `bytes` (groups of MSB, LSB, CRC); IoError('crc') naming the bytes if any CRC fails. */
export function sht3xWords(bytes: Uint8Array, what: string): number[] {
  if (bytes.length % 3 !== 0) throw new RangeError(`${what}: ${bytes.length} bytes is not a whole number of words`);
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const expected = crc8(bytes, i, i + 2);
    if (bytes[i + 2] !== expected) {
      throw new IoError('crc', `SHT3x ${what}: CRC 0x${hex([bytes[i + 2]])} != 0x${hex([expected])} over word ${i / 3} (bytes ${hex(bytes)})`);
    }
    words.push((bytes[i] << 8) | bytes[i + 1]);
  }
  return words;
}

/** §4.13: T = −45 + 175 · S_T / (2^16 − 1), in °C. */
function sht3xTemperature(ticks: number): number {
  return -45 + (175 * ticks) / 65535;
}

/** §4.13: RH = 100 · S_RH / (2^16 − 1), in %RH. */
function sht3xHumidity(ticks: number): number {
  return (100 * ticks) / 65535;
}

/** A single-shot result: T word, CRC, RH word, CRC (§4.4). */
export function decodeSht3xMeasurement(bytes: Uint8Array): { temperature: number; humidity: number } {
  const [t, rh] = sht3xWords(bytes, 'measurement');
  return { temperature: sht3xTemperature(t), humidity: sht3xHumidity(rh) };
}

/** The 32-bit serial number from its two words (high word first). */
export function decodeSht3xSerial(bytes: Uint8Array): number {
  const [hi, lo] = sht3xWords(bytes, 'serial number');
  return hi * 0x10000 + lo;
}
