/**
 * BIP-39 mnemonics in English (https://github.com/bitcoin/bips/blob/master/bip-0039.mediawiki):
 * 16 bytes ↔ 12 words, 32 bytes ↔ 24 words, and 64 bytes ↔ 48 words.
 *
 * 48 words are two standard 24-word BIP-39 mnemonics, one for each 32-byte
 * half (bytes 0–31, then 32–63), written one after the other. Each half
 * carries its own 8-bit checksum, so a wrong word is pinned to its half and
 * any BIP-39 tool reads each half on its own.
 *
 * The word list and the checksum (first ENT/32 bits of SHA-256) come from
 * @scure/bip39; this module adds what a person reading words aloud needs:
 * lenient input (any case, any whitespace, NFKD), an error per kind of
 * mistake, the nearest valid words for an unknown one, and an opt-in repair
 * of single-edit typos. Portable: runs on XS unchanged.
 */
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { MnemonicError, type UnknownWord } from './mnemonic-error.js';
import { nearestWords, wordsOneEditAway } from './nearest-words.js';

/** Word counts accepted, and the byte lengths they carry. */
const MNEMONIC_WORD_COUNTS: readonly number[] = [12, 24, 48];
export const MNEMONIC_BYTE_LENGTHS: readonly number[] = [16, 32, 64];

/** 48 words at 8 letters and generous spacing fit easily; longer text is refused before it is split. */
const MAX_TEXT_LENGTH = 4096;

export interface DecodeMnemonicOptions {
  /** Replace a word that is one edit (insert, delete, substitute, swap) from exactly one valid word, with a warning. */
  fuzzy?: boolean;
}

export interface DecodedMnemonic {
  bytes: Uint8Array;
  /** One line per word --fuzzy replaced, naming the word typed and the word read. */
  warnings: string[];
}

/** The BIP-39 English list: 2048 words, alphabetical, each fixed by its first four letters. */
export const ENGLISH_WORDS: readonly string[] = wordlist;

/** Whether `word` (already lower case) is in the list: binary search, the list being sorted. */
export function isMnemonicWord(word: string): boolean {
  let lo = 0;
  let hi = wordlist.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = wordlist[mid];
    if (w === word) return true;
    if (w < word) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** 16, 32 or 64 bytes → 12, 24 or 48 words (see the module comment for 48). */
export function encodeMnemonic(bytes: Uint8Array): string[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 16 || bytes.length === 32) return entropyToMnemonic(bytes, wordlist).split(' ');
  if (bytes.length === 64)
    return entropyToMnemonic(bytes.subarray(0, 32), wordlist)
      .split(' ')
      .concat(entropyToMnemonic(bytes.subarray(32), wordlist).split(' '));
  throw new RangeError(`bytes must be 16, 32 or 64 bytes long (12, 24 or 48 words), got ${bytes.length}`);
}

/** Lower case, NFKD, split on any whitespace. */
function mnemonicWords(text: string): string[] {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  if (text.length > MAX_TEXT_LENGTH)
    throw new MnemonicError('mnemonic-length', `the text is ${text.length} characters long; a mnemonic of 48 words fits in ${MAX_TEXT_LENGTH}`);
  const normal = typeof text.normalize === 'function' ? text.normalize('NFKD') : text;
  const trimmed = normal.toLowerCase().trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/**
 * Words → bytes. Throws MnemonicError: mnemonic-length (not 12, 24 or 48
 * words), mnemonic-word (naming each unknown word, its position and the
 * nearest valid words), mnemonic-checksum (all words known, checksum wrong;
 * for 48 words, naming the half). With `fuzzy`, single-edit typos with one
 * possible correction are replaced and reported in `warnings`; the checksum
 * is then checked over the corrected words like any other.
 */
export function decodeMnemonic(text: string, options: DecodeMnemonicOptions = {}): DecodedMnemonic {
  const words = mnemonicWords(text);
  if (MNEMONIC_WORD_COUNTS.indexOf(words.length) < 0) {
    const got = words.length === 0 ? 'no words' : words.length === 1 ? '1 word' : `${words.length} words`;
    throw new MnemonicError('mnemonic-length', `a mnemonic has 12, 24 or 48 words (16, 32 or 64 bytes); got ${got}`);
  }
  const warnings: string[] = [];
  const unknown: UnknownWord[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (isMnemonicWord(word)) continue;
    const oneEdit = options.fuzzy ? wordsOneEditAway(word, wordlist) : [];
    if (oneEdit.length === 1) {
      warnings.push(`word ${i + 1} '${word}' read as '${oneEdit[0]}' (one edit away)`);
      words[i] = oneEdit[0];
      continue;
    }
    const u: UnknownWord = { position: i + 1, word: shown(word), nearest: nearestWords(word, wordlist, 3) };
    if (oneEdit.length > 1) u.ambiguous = oneEdit;
    unknown.push(u);
  }
  if (unknown.length > 0) throw new MnemonicError('mnemonic-word', unknown.map(describeUnknown).join('; '), { unknown });

  const fixed = warnings.length > 0 ? ` (after --fuzzy read ${warnings.length === 1 ? 'one word' : `${warnings.length} words`} differently)` : '';
  if (words.length !== 48) {
    const bytes = checkedEntropy(words);
    if (!bytes) throw new MnemonicError('mnemonic-checksum', `the checksum does not match${fixed}: every word is valid, but one is wrong or out of place`);
    return { bytes, warnings };
  }
  const first = checkedEntropy(words.slice(0, 24));
  const second = checkedEntropy(words.slice(24));
  if (!first || !second) {
    const halves = !first && !second ? [1, 2] : !first ? [1] : [2];
    const where =
      halves.length === 2 ? 'both halves (words 1–24 and 25–48)' : halves[0] === 1 ? 'the first half (words 1–24)' : 'the second half (words 25–48)';
    throw new MnemonicError('mnemonic-checksum', `the checksum of ${where} does not match${fixed}: every word is valid, but one is wrong or out of place`, {
      halves,
    });
  }
  const bytes = new Uint8Array(64);
  bytes.set(first, 0);
  bytes.set(second, 32);
  return { bytes, warnings };
}

/** The entropy of 12 or 24 known words, or undefined when their checksum fails. */
function checkedEntropy(words: string[]): Uint8Array | undefined {
  try {
    return mnemonicToEntropy(words.join(' '), wordlist);
  } catch (e) {
    // Count and words were checked above, so the checksum is all that is left to fail.
    if (/checksum/i.test(String((e as Error).message))) return undefined;
    throw e;
  }
}

function describeUnknown(u: UnknownWord): string {
  const head = `word ${u.position} '${u.word}' is not a BIP-39 English word`;
  if (u.ambiguous) return `${head}; it is one edit from ${u.ambiguous.join(', ')}, so --fuzzy cannot choose`;
  return `${head}; nearest: ${u.nearest.join(', ')}`;
}

/** An unknown word as shown in a message: pasted garbage is cut short. */
function shown(word: string): string {
  return word.length > 24 ? word.slice(0, 24) + '…' : word;
}
