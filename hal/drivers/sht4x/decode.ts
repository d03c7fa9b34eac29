import { IoError } from '../../contracts/errors.js';
import { crc8 } from '../crc8.js';

/**
 * SHT4x raw data → physical values, exactly as the datasheet gives them.
 * Every 16-bit word the chip sends is followed by its CRC-8 (§4.4).
 */

function hex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

/** The words in `bytes` (groups of MSB, LSB, CRC); IoError('crc') naming the bytes if any CRC fails. */
function sht4xWords(bytes: Uint8Array, what: string): number[] {
  if (bytes.length % 3 !== 0) throw new RangeError(`${what}: ${bytes.length} bytes is not a whole number of words`);
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const expected = crc8(bytes, i, i + 2);
    if (bytes[i + 2] !== expected) {
      throw new IoError('crc', `SHT4x ${what}: CRC 0x${hex([bytes[i + 2]])} != 0x${hex([expected])} over word ${i / 3} (bytes ${hex(bytes)})`);
    }
    words.push((bytes[i] << 8) | bytes[i + 1]);
  }
  return words;
}

/** §4.6: T = −45 + 175 · S_T / 65535, in °C. */
function sht4xTemperature(ticks: number): number {
  return -45 + (175 * ticks) / 65535;
}

/**
 * §4.6: RH = −6 + 125 · S_RH / 65535, in %RH, cropped to 0..100 as the
 * datasheet advises (values outside are physically impossible).
 */
function sht4xHumidity(ticks: number): number {
  const rh = -6 + (125 * ticks) / 65535;
  return rh < 0 ? 0 : rh > 100 ? 100 : rh;
}

/** A measurement answer: T word, CRC, RH word, CRC. */
export function decodeSht4xMeasurement(bytes: Uint8Array): { temperature: number; humidity: number } {
  const [t, rh] = sht4xWords(bytes, 'measurement');
  return { temperature: sht4xTemperature(t), humidity: sht4xHumidity(rh) };
}

/** The 32-bit serial number from its two words (high word first). */
export function decodeSht4xSerial(bytes: Uint8Array): number {
  const [hi, lo] = sht4xWords(bytes, 'serial number');
  return hi * 0x10000 + lo;
}
