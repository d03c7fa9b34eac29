/**
 * Walking deterministic CBOR without decoding it: where an item starts and
 * ends. For bytes the strict decoder (firmware/codec/cbor-decode.ts) already
 * accepted, or whose walk only steers a request (never what is stored).
 * Reading past the end gives undefined bytes, hence NaN positions, never a throw.
 */
/** A head's argument and where the item's content starts (definite lengths only: the strict decoder refused the rest). */
export function cborHead(b: Uint8Array, at: number): { major: number; n: number; next: number } {
  const major = b[at] >> 5;
  const ai = b[at] & 0x1f;
  if (ai < 24) return { major, n: ai, next: at + 1 };
  const size = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : 8;
  let n = 0;
  for (let i = 1; i <= size; i++) n = n * 256 + b[at + i];
  return { major, n, next: at + 1 + size };
}

/** Where the item starting at `at` ends. No head object is built per item: a page walks some 30 items an entry. */
export function skipCborItem(b: Uint8Array, at: number): number {
  const major = b[at] >> 5;
  const ai = b[at] & 0x1f;
  let n = ai;
  let next = at + 1;
  if (ai >= 24) {
    const size = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : 8;
    n = 0;
    for (let i = 1; i <= size; i++) n = n * 256 + b[at + i];
    next += size;
  }
  switch (major) {
    case 2:
    case 3:
      return next + n;
    case 4:
    case 5: {
      const items = major === 5 ? 2 * n : n;
      for (let i = 0; i < items; i++) next = skipCborItem(b, next);
      return next;
    }
    case 6:
      return skipCborItem(b, next);
    default:
      return next; // integers, simple values and floats: the head is the item (its argument the value)
  }
}
