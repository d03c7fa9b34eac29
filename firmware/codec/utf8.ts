import { CodecError } from '../errors.js';

/**
 * UTF-8 written out by hand: XS builds do not all carry TextEncoder, and the
 * CBOR decoder needs a strict validator anyway (RFC 3629 §3/§4: no overlongs,
 * no surrogates, nothing above U+10FFFF).
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new CodecError('invalid-utf16', `string has a lone surrogate at index ${i}`);
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new CodecError('invalid-utf16', `string has a lone surrogate at index ${i}`);
    } else n += 3;
  }
  return n;
}

/** Writes `s` into `out` at `pos`; the caller sized `out` with utf8Length. Returns the new position. */
export function utf8Write(s: string, out: Uint8Array, pos: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) out[pos++] = c;
    else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[pos++] = 0xf0 | (c >> 18);
      out[pos++] = 0x80 | ((c >> 12) & 0x3f);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    } else {
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

export function utf8Encode(s: string): Uint8Array {
  const out = new Uint8Array(utf8Length(s));
  utf8Write(s, out, 0);
  return out;
}

/** ASCII bytes[start, end) as one string, their codes copied by a loop (Array.prototype.slice.call on a typed array is slow in V8). */
function asciiText(bytes: Uint8Array, start: number, end: number): string {
  const codes: number[] = new Array(end - start);
  for (let k = start; k < end; k++) codes[k - start] = bytes[k];
  return String.fromCharCode.apply(null, codes);
}

/** Decodes bytes[start, end) strictly; `base` is added to offsets in errors. */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length, base = 0): string {
  let s = '';
  let i = start;
  // Short ASCII strings (map keys, units, ids) are most of what a node sends: made in one piece,
  // not a character at a time (each step a new string: an entry's 26-character id made 26).
  if (end - start <= 64) {
    while (i < end && bytes[i] < 0x80) i++;
    if (i === end) return asciiText(bytes, start, end);
    i = start;
  }
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      // ASCII runs in chunks: apply() puts every char on the stack, and XS's stack is 4096 slots.
      let j = i + 1;
      while (j < end && j - i < 1024 && bytes[j] < 0x80) j++;
      s += asciiText(bytes, i, j);
      i = j;
      continue;
    }
    let need: number;
    let cp: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else throw new CodecError('invalid-utf8', 'text string is not valid UTF-8', base + i);
    if (i + need >= end) throw new CodecError('invalid-utf8', 'text string ends inside a UTF-8 sequence', base + i);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) throw new CodecError('invalid-utf8', 'text string is not valid UTF-8', base + i);
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new CodecError('invalid-utf8', 'text string is not valid UTF-8 (overlong, surrogate or out of range)', base + i);
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      s += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else s += String.fromCharCode(cp);
    i += need + 1;
  }
  return s;
}
