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

/** Where the item starting at `at` ends. */
export function skipCborItem(b: Uint8Array, at: number): number {
  const h = cborHead(b, at);
  switch (h.major) {
    case 2:
    case 3:
      return h.next + h.n;
    case 4: {
      let p = h.next;
      for (let i = 0; i < h.n; i++) p = skipCborItem(b, p);
      return p;
    }
    case 5: {
      let p = h.next;
      for (let i = 0; i < 2 * h.n; i++) p = skipCborItem(b, p);
      return p;
    }
    case 6:
      return skipCborItem(b, h.next);
    default:
      return h.next; // integers, simple values and floats: the head is the item (its argument the value)
  }
}
