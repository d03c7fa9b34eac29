/**
 * The 16-bit service data in a raw BLE advertising payload (Core Spec Vol 3
 * Part C §11: a sequence of length, AD type, data; type 0x16 is service data
 * with a 16-bit UUID, little-endian, before the data). Keyed as the
 * simulator's air keys it (lower-case hex, `fcd2`). Undefined when the bytes
 * are not a well-formed AD sequence, so a caller can tell them from service
 * data alone.
 */
export function adServiceData(payload: Uint8Array): Record<string, Uint8Array> | undefined {
  const found: Record<string, Uint8Array> = {};
  let pos = 0;
  while (pos < payload.length) {
    const len = payload[pos];
    if (len === 0) break; // zero padding ends the significant part
    if (pos + 1 + len > payload.length) return undefined;
    if (payload[pos + 1] === 0x16 && len >= 3) {
      const uuid = payload[pos + 2] | (payload[pos + 3] << 8);
      found[uuid.toString(16).padStart(4, '0')] = payload.slice(pos + 4, pos + 1 + len);
    }
    pos += 1 + len;
  }
  return Object.keys(found).length > 0 ? found : undefined;
}
