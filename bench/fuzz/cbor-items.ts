/**
 * Where the CBOR items of a sample are (RFC 8949 §3): each head's offset,
 * length, major type and argument, and where the item ends. Tolerant: it
 * stops at the first thing it cannot read, since it also walks mutated
 * bytes. The fuzzer rewrites these heads (length-field tweaks).
 */
export interface CborItem {
  offset: number;
  headLength: number;
  major: number;
  argument: number;
  end: number;
}

const MAX_ITEMS = 4096;

export function cborItems(b: Uint8Array): CborItem[] {
  const items: CborItem[] = [];
  const walk = (pos: number, depth: number): number => {
    if (pos >= b.length || depth > 64 || items.length >= MAX_ITEMS) return -1;
    const major = b[pos] >> 5;
    const ai = b[pos] & 31;
    let headLength = 1;
    let argument = ai;
    if (ai >= 24 && ai <= 27) {
      headLength = 1 + (1 << (ai - 24));
      if (pos + headLength > b.length) return -1;
      argument = 0;
      for (let i = 1; i < headLength; i++) argument = argument * 256 + b[pos + i];
    } else if (ai > 27) return -1;
    const item: CborItem = { offset: pos, headLength, major, argument, end: -1 };
    items.push(item);
    let at = pos + headLength;
    if (major === 2 || major === 3) at += argument;
    else if (major === 4 || major === 5) {
      const children = major === 5 ? argument * 2 : argument;
      if (children > b.length) return -1;
      for (let i = 0; i < children; i++) {
        at = walk(at, depth + 1);
        if (at < 0) return -1;
      }
    } else if (major === 6) at = walk(at, depth + 1);
    if (at < 0 || at > b.length) return -1;
    item.end = at;
    return at;
  };
  walk(0, 0);
  return items.filter((it) => it.end >= 0);
}
