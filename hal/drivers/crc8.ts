/**
 * CRC-8 as Sensirion (SHT3x datasheet §4.12, SHT4x §4.4) and Aosong (AHT20
 * §7.4) specify it: polynomial 0x31 (x^8 + x^5 + x^4 + 1), initial 0xFF, no
 * reflection, no final XOR. Check value: crc8([0xBE, 0xEF]) = 0x92.
 */
export function crc8(bytes: ArrayLike<number>, start = 0, end = bytes.length): number {
  let crc = 0xff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i];
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}
