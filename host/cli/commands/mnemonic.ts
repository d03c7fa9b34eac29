import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import { inviteFromBytes, isInviteBytes } from '../../../firmware/mnemonic/invite-words.js';
import { decodeMnemonic, encodeMnemonic, MNEMONIC_BYTE_LENGTHS } from '../../../firmware/mnemonic/mnemonic.js';
import { MnemonicError } from '../../../firmware/mnemonic/mnemonic-error.js';
import { UsageError, type Command } from '../command.js';

/** Words in lines of 12: easy to copy by hand, and `fazt mnemonic decode` takes any whitespace. */
export function wordLines(words: string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += 12) lines.push(words.slice(i, i + 12).join(' '));
  return lines.join('\n') + '\n';
}

/** The words of `bytes` on one line, or a mnemonic-length error a person can act on. */
function wordsOf(bytes: Uint8Array): string {
  if (MNEMONIC_BYTE_LENGTHS.indexOf(bytes.length) < 0) {
    throw new MnemonicError('mnemonic-length', `${bytes.length} bytes cannot be words: a mnemonic carries 16, 32 or 64 bytes (12, 24 or 48 words)`);
  }
  return encodeMnemonic(bytes).join(' ');
}

const encode: Command = {
  name: 'encode',
  summary: 'Bytes (hex, a file, or hex on stdin) → 12, 24 or 48 words',
  usage: 'fazt mnemonic encode [--file F | <hex>]',
  help: [
    "The bytes are the file's bytes (--file), the hex on the command line, or the hex on stdin.",
    '16 bytes make 12 words, 32 make 24, 64 make 48 (two 24-word BIP-39 mnemonics, one per half).',
  ].join('\n'),
  args: '[hex...]',
  options: { file: { type: 'string', short: 'f', value: 'FILE', description: 'the bytes of this file (16, 32 or 64 bytes)' } },
  run: async ({ positionals, values, stdin, out }) => {
    const file = values.file === undefined ? undefined : String(values.file);
    if (file !== undefined && positionals.length > 0) throw new UsageError('mnemonic encode: give hex or --file, not both');
    let bytes: Uint8Array;
    if (file !== undefined) {
      const size = statSync(file).size;
      if (size > 64) throw new MnemonicError('mnemonic-length', `${file} is ${size} bytes: a mnemonic carries 16, 32 or 64 bytes (12, 24 or 48 words)`);
      bytes = new Uint8Array(readFileSync(file));
    } else {
      const hex = positionals.length > 0 ? positionals.join('') : (await stdin()).toString('utf8');
      if (hex.trim() === '') throw new UsageError('mnemonic encode: give hex, --file F, or hex on stdin');
      bytes = fromHex(hex.trim());
    }
    out(wordsOf(bytes) + '\n');
  },
};

const decode: Command = {
  name: 'decode',
  summary: 'Words → bytes as hex (or into a file, or an invite token)',
  usage: 'fazt mnemonic decode ["<words>"] [--fuzzy] [--hex | --out F | --invite]',
  help: [
    'The words come from the command line or, when there are none, from stdin (which keeps a',
    'secret out of shell history). Any case and any whitespace are fine. A word that is not a',
    'BIP-39 English word is named with its position and the nearest valid words; a wrong word',
    'count and a failed checksum are errors of their own.',
  ].join('\n'),
  args: '[words...]',
  options: {
    fuzzy: {
      type: 'boolean',
      description:
        'read a word one edit (a letter added, dropped, changed, or two swapped) from exactly one valid word as that word, with a warning; the checksum still has to match',
    },
    hex: { type: 'boolean', description: 'print the bytes as hex (the default)' },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'write the bytes to FILE instead (mode 0600; FILE must not exist)' },
    invite: { type: 'boolean', description: 'the words are an invite read over the phone (fazt invite --format mnemonic): print its token' },
  },
  run: async ({ positionals, values, stdin, out, err }) => {
    const file = values.out === undefined ? undefined : String(values.out);
    if ([values.hex === true, file !== undefined, values.invite === true].filter(Boolean).length > 1) {
      throw new UsageError('mnemonic decode: --hex, --out and --invite exclude each other');
    }
    const text = positionals.length > 0 ? positionals.join(' ') : (await stdin()).toString('utf8');
    const { bytes, warnings } = decodeMnemonic(text, { fuzzy: values.fuzzy === true });
    for (const w of warnings) err(`fazt: warning: ${w}\n`);
    if (values.invite) {
      if (bytes.length !== 32) throw new MnemonicError('mnemonic-invite', `an invite is 24 words; these are ${bytes.length === 16 ? 12 : 48}`);
      out(inviteFromBytes(bytes) + '\n');
      return;
    }
    if (isInviteBytes(bytes)) err('fazt: note: these words are a Fazt invite; --invite prints its token\n');
    if (file === undefined) {
      out(toHex(bytes) + '\n');
      return;
    }
    try {
      writeFileSync(file, bytes, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') throw new UsageError(`mnemonic decode: ${file} exists; it is not overwritten`);
      throw e;
    }
    out(`wrote ${bytes.length} bytes to ${file} (mode 0600)\n`);
  },
};

export const mnemonicCommand: Command = {
  name: 'mnemonic',
  summary: 'Bytes ↔ BIP-39 English words: 12, 24 or 48 words for 16, 32 or 64 bytes',
  usage: 'fazt mnemonic <encode|decode>',
  help: [
    'Words to write down or read aloud when nothing else works: a key (fazt keygen --format',
    'mnemonic), an invite (fazt invite --format mnemonic), any 16, 32 or 64 bytes. Every 12 or',
    '24 words carry a checksum, so a wrong word is caught. 48 words are two standard 24-word',
    'BIP-39 mnemonics, one for each 32-byte half.',
  ].join('\n'),
  subcommands: [encode, decode],
};
