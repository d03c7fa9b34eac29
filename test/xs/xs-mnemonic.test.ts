import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { inviteFromMnemonic, inviteToMnemonic } from '../../firmware/mnemonic/invite-words.js';
import { decodeMnemonic, encodeMnemonic, ENGLISH_WORDS } from '../../firmware/mnemonic/mnemonic.js';
import type { MnemonicError } from '../../firmware/mnemonic/mnemonic-error.js';
import { nearestWords } from '../../firmware/mnemonic/nearest-words.js';
import { XsSession } from '../../sim/xs/xs-session.js';

/**
 * Mnemonics inside the real XS engine: @scure/bip39, its English list and
 * @noble/hashes' SHA-256 bundle for the neutral platform and give the same
 * words, bytes, warnings and errors as on Node. No skip: if XS is missing,
 * XsSession.start throws and this suite fails.
 */
const entry = new URL('./entries/mnemonic-entry.ts', import.meta.url).pathname;
let xs: XsSession;

/** Entropy of the BIP-39 reference vectors (trezor/python-mnemonic vectors.json; test/mnemonic pins their words) and a few more. */
const HEXES = [
  '00000000000000000000000000000000',
  '7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f',
  '80808080808080808080808080808080',
  'ffffffffffffffffffffffffffffffff',
  '7dce4ed2284c9134d026608ab684c05c',
  '5baf069620eff15c71dd97c9a6ee328f',
  '63deb1e7f0c3de56f4ab43c9d2ae6c86',
  '00641669f095b433a304ed0f953f28eb',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f',
  '8080808080808080808080808080808080808080808080808080808080808080',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '00ac97c48106f0aeb8ba061e0250a559b3251dc35854e694780ba51d53a50120',
  '3edc83b60740d77af3afa2fcb82c2f1bc541ee4e2518ddef4996d32453f54a3c',
  '89bb4bc5555992cdaf3444c5e7ca5a6e9f27efab894f1990bae41be8b2a26ea4',
  '911fec0fbd88029f6fa99164896c18d898c9232af18bdcca3e42d53b86493104',
  '00ac97c48106f0aeb8ba061e0250a559b3251dc35854e694780ba51d53a50120911fec0fbd88029f6fa99164896c18d898c9232af18bdcca3e42d53b86493104',
  '0123456789abcdef'.repeat(8),
];

function nodeOutcome(text: string, fuzzy: boolean): unknown {
  try {
    const { bytes, warnings } = decodeMnemonic(text, { fuzzy });
    return { hex: toHex(bytes), warnings };
  } catch (e) {
    const m = e as MnemonicError;
    return { name: m.name, code: m.code, message: m.message, unknown: m.unknown, halves: m.halves };
  }
}

const legal = encodeMnemonic(fromHex(HEXES[1])).join(' ');
const long = encodeMnemonic(fromHex(HEXES[16]));
const DECODE_CASES: { text: string; fuzzy: boolean }[] = [
  { text: legal, fuzzy: false },
  { text: `  ${legal.toUpperCase().replace(/ /g, '\n\u3000')}  `, fuzzy: false },
  { text: legal.replace('legal', '\uFF4C\uFF45\uFF47\uFF41\uFF4C'), fuzzy: false },
  { text: long.join(' '), fuzzy: false },
  { text: 'abandon '.repeat(13), fuzzy: false },
  { text: '', fuzzy: false },
  { text: legal.replace('thank', 'thenk').replace('yellow', 'yelow'), fuzzy: false },
  { text: legal.replace('thank', 'thenk').replace('yellow', 'yelow'), fuzzy: true },
  { text: legal.replace('legal', 'lagal').replace('sausage', 'sausge').replace('wave', 'wavee').replace('year', 'yaer'), fuzzy: true },
  { text: legal.replace('wave', 'wrld'), fuzzy: true },
  { text: legal.replace('yellow', 'year'), fuzzy: false },
  { text: 'abandon '.repeat(11) + 'abandn', fuzzy: true },
  {
    text: long
      .slice(0, 30)
      .concat(['abandon', 'abandon'].includes(long[30]) ? 'ability' : 'abandon', long.slice(31))
      .join(' '),
    fuzzy: false,
  },
  { text: ['zoo'].concat(long.slice(1, 30), 'zoo', long.slice(31)).join(' '), fuzzy: false },
];

describe('mnemonics on XS', () => {
  before(async () => {
    xs = await XsSession.start(entry);
  });
  after(async () => {
    await xs?.close();
  });

  it('really runs in XS, with String.prototype.normalize and the 2048-word list', async () => {
    const { value } = await xs.call<Record<string, unknown>>('engine');
    assert.deepStrictEqual(value, { issueCommand: 'function', process: 'undefined', normalize: 'function', words: 2048 });
    assert.ok(xs.bundleBytes < 80_000, `bundle ${xs.bundleBytes} bytes`);
  });

  it('encodes the BIP-39 vectors and 64-byte values to the same words as Node', async () => {
    const { value } = await xs.call<string[]>('encode', HEXES);
    assert.deepStrictEqual(
      value,
      HEXES.map((h) => encodeMnemonic(fromHex(h)).join(' ')),
    );
    assert.equal(value[1], 'legal winner thank year wave sausage worth useful legal winner thank yellow');
  });

  it('decodes the vectors back to the same bytes', async () => {
    const { value } = await xs.call<unknown[]>(
      'decode',
      HEXES.map((h) => ({ text: encodeMnemonic(fromHex(h)).join(' '), fuzzy: false })),
    );
    assert.deepStrictEqual(
      value,
      HEXES.map((hex) => ({ hex, warnings: [] })),
    );
  });

  it('gives identical warnings and errors (code, message, unknown words, halves) for every kind of mistake', async () => {
    const { value } = await xs.call<unknown[]>('decode', DECODE_CASES);
    const expected = DECODE_CASES.map((c) => nodeOutcome(c.text, c.fuzzy));
    assert.deepStrictEqual(value, JSON.parse(JSON.stringify(expected)));
    const codes = expected.map((e) => (e as { code?: string }).code ?? 'ok');
    assert.deepStrictEqual(codes, [
      'ok',
      'ok',
      'ok',
      'ok',
      'mnemonic-length',
      'mnemonic-length',
      'mnemonic-word',
      'mnemonic-word',
      'ok',
      'mnemonic-word',
      'mnemonic-checksum',
      'mnemonic-checksum',
      'mnemonic-checksum',
      'mnemonic-checksum',
    ]);
  });

  it('suggests the same nearest words', async () => {
    const words = ['thenk', 'wrld', 'sheel', 'xyzzy', 'ca', 'abandonn', 'q'];
    const { value } = await xs.call<string[][]>('nearest', words);
    assert.deepStrictEqual(
      value,
      words.map((w) => nearestWords(w, ENGLISH_WORDS)),
    );
  });

  it('turns invites into the same words and back', async () => {
    const tokens = ['fzi' + 'abcdefghijklmnopqrstuvwxyz234567', 'fzi' + 'a'.repeat(32), 'fzi' + '7'.repeat(32)];
    const { value } = await xs.call<string[]>('inviteWords', tokens);
    assert.deepStrictEqual(
      value,
      tokens.map((t) => inviteToMnemonic(t).join(' ')),
    );
    const { value: back } = await xs.call<string[]>('inviteBack', value);
    assert.deepStrictEqual(back, tokens);
    assert.deepStrictEqual(
      back,
      value.map((v) => inviteFromMnemonic(v).token),
    );
  });

  it('names MnemonicError with Error.prototype frozen, as in a Moddable build (runs last: it freezes)', async () => {
    assert.equal((await xs.call<string>('frozenError')).value, 'MnemonicError:mnemonic-word');
  });
});
