import { toHex } from '../../firmware/codec/text-encodings.js';
import { inviteFromMnemonic } from '../../firmware/mnemonic/invite-words.js';
import { decodeMnemonic } from '../../firmware/mnemonic/mnemonic.js';

/** Text with spaces between words: a BIP-39 mnemonic as `fazt keygen|invite --format mnemonic` prints it. */
const looksLikeWords = (text: string): boolean => /^[a-z]+(\s+[a-z]+)+$/i.test(text.trim());

/**
 * A 32-byte key typed or pasted in a text form the CLI prints: 64 hex
 * digits (`fazt keygen`, `fazt invite --json`'s hubKey) or its 24 BIP-39
 * words (`fazt keygen --format mnemonic`). The result is lowercase hex, the
 * form node configurations carry. Errors name `what`.
 */
export function keyFromText(text: string, what: string): string {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return t.toLowerCase();
  if (looksLikeWords(t)) {
    let bytes: Uint8Array;
    try {
      bytes = decodeMnemonic(t).bytes;
    } catch (e) {
      throw new RangeError(`${what}: ${(e as Error).message}`);
    }
    if (bytes.length !== 32) throw new RangeError(`${what}: a key is 24 words; these are ${bytes.length === 16 ? 12 : 48}`);
    return toHex(bytes);
  }
  throw new RangeError(`${what}: a key is 64 hex digits or 24 words, got ${t.length} characters`);
}

/** An invite token as `fazt invite` prints it (fzi…), or its 24 words (`--format mnemonic`). */
export function tokenFromText(text: string, what: string): string {
  const t = text.trim();
  if (!looksLikeWords(t)) {
    if (!/^[!-~]{1,128}$/.test(t)) throw new RangeError(`${what}: an invite token is 1 to 128 printable characters without spaces`);
    return t;
  }
  try {
    return inviteFromMnemonic(t).token;
  } catch (e) {
    throw new RangeError(`${what}: ${(e as Error).message}`);
  }
}
