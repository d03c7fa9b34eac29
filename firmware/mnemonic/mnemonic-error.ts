import { FaztError } from '../../hal/contracts/errors.js';

export type MnemonicErrorCode =
  | 'mnemonic-length' // the word count is not 12, 24 or 48 (or the text is absurdly long)
  | 'mnemonic-word' // a word is not in the BIP-39 English list (or --fuzzy could not choose)
  | 'mnemonic-checksum' // every word is known but the checksum does not match
  | 'mnemonic-invite'; // valid words, but not the words of a Fazt invite

/** A word that is not in the list: where it stood (1-based), as typed, and the nearest valid words. */
export interface UnknownWord {
  position: number;
  word: string;
  nearest: string[];
  /** Valid words exactly one edit away, when there are two or more (so --fuzzy did not choose). */
  ambiguous?: string[];
}

/**
 * Words a person typed or heard that do not decode. `unknown` lists every
 * unknown word (code mnemonic-word); `halves` names the 24-word halves of a
 * 48-word mnemonic whose checksum failed (1, 2 or both; empty for 12 and 24).
 */
export class MnemonicError extends FaztError {
  readonly unknown: UnknownWord[];
  readonly halves: number[];
  constructor(code: MnemonicErrorCode, message: string, details: { unknown?: UnknownWord[]; halves?: number[] } = {}) {
    super(code, message);
    // Not `this.name = …`: a Moddable build freezes Error.prototype (see hal/contracts/errors.ts).
    Object.defineProperty(this, 'name', { value: 'MnemonicError', writable: true, configurable: true, enumerable: false });
    this.unknown = details.unknown ?? [];
    this.halves = details.halves ?? [];
  }
}
