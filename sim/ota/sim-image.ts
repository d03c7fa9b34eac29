import { utf8Decode, utf8Encode } from '../../firmware/codec/utf8.js';

/**
 * A firmware image as the simulator builds and boots it: a magic line, a
 * JSON header {version, healthy} and padding to the size asked for (so a
 * test image spans several chunks). `healthy: false` is a build that
 * crashes at boot before it can confirm itself, which the bootloader model
 * rolls back (sim/ota/ota-slots.ts). Bytes without the magic line do not
 * boot either.
 */
export interface SimImage {
  version: string;
  healthy: boolean;
}

const MAGIC = 'FAZT-SIM-IMAGE\n';

export function simImageBytes(image: SimImage, size = 0): Uint8Array {
  const head = utf8Encode(`${MAGIC}${JSON.stringify({ version: image.version, healthy: image.healthy })}\n`);
  const out = new Uint8Array(Math.max(size, head.length));
  out.set(head);
  for (let i = head.length; i < out.length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/** The image the bytes are, or undefined when they are not a simulator image. */
export function readSimImage(bytes: Uint8Array): SimImage | undefined {
  const end = bytes.indexOf(0x0a, MAGIC.length);
  if (end < 0 || utf8Decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) return undefined;
  try {
    const h = JSON.parse(utf8Decode(bytes.subarray(MAGIC.length, end))) as { version?: unknown; healthy?: unknown };
    return typeof h.version === 'string' && typeof h.healthy === 'boolean' ? { version: h.version, healthy: h.healthy } : undefined;
  } catch {
    return undefined;
  }
}
