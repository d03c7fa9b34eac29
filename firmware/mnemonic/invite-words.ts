/**
 * A Fazt invite as 24 BIP-39 words, for reading over the phone.
 *
 * An invite token is "fzi" and 20 random bytes in base32 (host/store/invites.ts).
 * A mnemonic carries 16, 32 or 64 bytes, so the words carry 32: the token's
 * 20 bytes, then the 12 ASCII bytes "fazt/invite1". That tag makes words
 * 16–23 the same for every invite (a listener can check them) and lets the
 * decoder tell an invite from a key, whose 32 bytes are random.
 */
import { toBase32 } from '../codec/text-encodings.js';
import { decodeMnemonic, encodeMnemonic, type DecodeMnemonicOptions } from './mnemonic.js';
import { MnemonicError } from './mnemonic-error.js';

/** The token shape (the hub's INVITE_TOKEN_PATTERN; test/mnemonic checks they agree). */
const TOKEN = /^fzi[a-z2-7]{32}$/;
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const TAG = 'fazt/invite1';

/** Whether 32 decoded bytes are an invite's (they end in the tag). */
export function isInviteBytes(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  for (let i = 0; i < TAG.length; i++) if (bytes[20 + i] !== TAG.charCodeAt(i)) return false;
  return true;
}

/** The invite token carried by an invite's 32 bytes. */
export function inviteFromBytes(bytes: Uint8Array): string {
  if (!isInviteBytes(bytes))
    throw new MnemonicError('mnemonic-invite', 'these words are valid but are not a Fazt invite (its words 16–23 are always the same)');
  return 'fzi' + toBase32(bytes.subarray(0, 20));
}

/** "fzi…" → 24 words. */
export function inviteToMnemonic(token: string): string[] {
  if (typeof token !== 'string' || !TOKEN.test(token)) throw new RangeError('token must be an invite token: fzi and 32 base32 characters');
  const bytes = new Uint8Array(32);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 3; i < token.length; i++) {
    acc = ((acc << 5) | B32.indexOf(token[i])) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[o++] = (acc >> bits) & 0xff;
    }
  }
  for (let i = 0; i < TAG.length; i++) bytes[20 + i] = TAG.charCodeAt(i);
  return encodeMnemonic(bytes);
}

/** 24 words → the invite token, with the same errors and --fuzzy repairs as decodeMnemonic. */
export function inviteFromMnemonic(text: string, options: DecodeMnemonicOptions = {}): { token: string; warnings: string[] } {
  const { bytes, warnings } = decodeMnemonic(text, options);
  if (bytes.length !== 32) throw new MnemonicError('mnemonic-invite', `an invite is 24 words; these are ${bytes.length === 16 ? 12 : 48}`);
  return { token: inviteFromBytes(bytes), warnings };
}
