import { FaztError } from './contracts/errors.js';
import type { I2C } from './contracts/io.js';

/**
 * Finds the addresses that answer on a bus, as i2cdetect does by default: a
 * zero-length write (SMBus quick command) to each 7-bit address 0x08–0x77;
 * an ACK means something is there. A stuck bus stops the scan with its error.
 */
export function scanI2c(open: (address: number) => I2C, from = 0x08, to = 0x77): number[] {
  const found: number[] = [];
  for (let a = from; a <= to; a++) {
    const io = open(a);
    try {
      io.write(new Uint8Array(0));
      found.push(a);
    } catch (e) {
      if (!(e instanceof FaztError) || e.code !== 'nack') throw e;
    } finally {
      io.close();
    }
  }
  return found;
}

/** i2cdetect's grid: rows of 16 addresses, "--" for silence. */
export function formatScan(found: number[]): string {
  const lines = ['     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f'];
  for (let row = 0; row < 8; row++) {
    let line = `${(row * 16).toString(16).padStart(2, '0')}:`;
    for (let col = 0; col < 16; col++) {
      const a = row * 16 + col;
      line += a < 0x08 || a > 0x77 ? '   ' : found.indexOf(a) >= 0 ? ` ${a.toString(16).padStart(2, '0')}` : ' --';
    }
    lines.push(line);
  }
  return lines.join('\n');
}
