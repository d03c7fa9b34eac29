/**
 * Bundled for XS by test/xs/xs-mnemonic.test.ts: BIP-39 words (with
 * @scure/bip39 and its English list) inside xsnap-worker.
 */
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import { inviteFromMnemonic, inviteToMnemonic } from '../../../firmware/mnemonic/invite-words.js';
import { decodeMnemonic, encodeMnemonic, ENGLISH_WORDS } from '../../../firmware/mnemonic/mnemonic.js';
import { MnemonicError } from '../../../firmware/mnemonic/mnemonic-error.js';
import { nearestWords } from '../../../firmware/mnemonic/nearest-words.js';
import { serveCommands } from '../../../sim/xs/xs-guest.js';

/** A decode's outcome as plain data: the bytes and warnings, or the error's code, message and details. */
function outcome(f: () => { hex: string; warnings: string[] }): unknown {
  try {
    return f();
  } catch (e) {
    const m = e as MnemonicError;
    return { name: m.name, code: m.code ?? '', message: m.message, unknown: m.unknown ?? null, halves: m.halves ?? null };
  }
}

serveCommands({
  engine: () => ({
    issueCommand: typeof (globalThis as { issueCommand?: unknown }).issueCommand,
    process: typeof (globalThis as { process?: unknown }).process,
    normalize: typeof ''.normalize,
    words: ENGLISH_WORDS.length,
  }),
  encode: (hexes: string[]) => hexes.map((h) => encodeMnemonic(fromHex(h)).join(' ')),
  decode: (cases: { text: string; fuzzy: boolean }[]) =>
    cases.map((c) =>
      outcome(() => {
        const { bytes, warnings } = decodeMnemonic(c.text, { fuzzy: c.fuzzy });
        return { hex: toHex(bytes), warnings };
      }),
    ),
  nearest: (words: string[]) => words.map((w) => nearestWords(w, ENGLISH_WORDS)),
  inviteWords: (tokens: string[]) => tokens.map((t) => inviteToMnemonic(t).join(' ')),
  inviteBack: (texts: string[]) => texts.map((t) => inviteFromMnemonic(t, { fuzzy: true }).token),
  /** Constructing the error with Error.prototype frozen, as a Moddable build does (call last). */
  frozenError: () => {
    Object.freeze(Error.prototype);
    const e = new MnemonicError('mnemonic-word', 'm');
    return `${e.name}:${e.code}`;
  },
});
