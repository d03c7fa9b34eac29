import { CodecError } from '../errors.js';

/** Lower-case hex, the form the CLI and the test vectors use. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new CodecError('bad-hex', `hex has an odd number of digits (${clean.length})`);
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new CodecError('bad-hex', 'hex contains a character that is not 0-9 or a-f');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (RFC 4648 §5). */
export function toBase64url(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    s += B64[n >> 18] + B64[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63];
  }
  return s;
}

/** Strict: rejects padding, other alphabets and non-zero trailing bits, so each byte string has one text form. */
export function fromBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new CodecError('bad-base64url', `base64url length ${text.length} is impossible`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const v = B64.indexOf(text[i]);
    if (v < 0) throw new CodecError('bad-base64url', `'${text[i]}' is not a base64url character (index ${i})`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new CodecError('bad-base64url', 'base64url has non-zero trailing bits (not canonical)');
  return out;
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** base32 (RFC 4648 §6 alphabet, lower case, no padding): node ids are made of it. */
export function toBase32(bytes: Uint8Array): string {
  let s = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      s += B32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) s += B32[(acc << (5 - bits)) & 31];
  return s;
}

/** Whether `text` is toBase32(bytes), read character by character: no string is built (a mesh page checks thousands of ids). */
export function isBase32Of(text: string, bytes: Uint8Array): boolean {
  if (text.length !== Math.ceil((bytes.length * 8) / 5)) return false;
  let at = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      if (text.charCodeAt(at++) !== B32.charCodeAt((acc >> bits) & 31)) return false;
    }
  }
  return bits === 0 || text.charCodeAt(at) === B32.charCodeAt((acc << (5 - bits)) & 31);
}
