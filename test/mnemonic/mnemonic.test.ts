import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { editDistance } from '../../firmware/mnemonic/edit-distance.js';
import { inviteFromBytes, inviteFromMnemonic, inviteToMnemonic, isInviteBytes } from '../../firmware/mnemonic/invite-words.js';
import { decodeMnemonic, encodeMnemonic, ENGLISH_WORDS, isMnemonicWord } from '../../firmware/mnemonic/mnemonic.js';
import { MnemonicError } from '../../firmware/mnemonic/mnemonic-error.js';
import { nearestWords, wordsOneEditAway } from '../../firmware/mnemonic/nearest-words.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { INVITE_TOKEN_PATTERN } from '../../host/store/invites.js';

/**
 * The official BIP-39 English vectors for 16 and 32 bytes: every one of them
 * from Trezor's python-mnemonic vectors.json (the reference implementation's
 * vectors, linked from BIP-39: https://github.com/trezor/python-mnemonic/blob/master/vectors.json),
 * entropy hex → mnemonic. The seeds they also list need a passphrase and
 * PBKDF2, which Fazt does not use.
 */
const BIP39_VECTORS: [string, string][] = [
  ['00000000000000000000000000000000', 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'],
  ['7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f', 'legal winner thank year wave sausage worth useful legal winner thank yellow'],
  ['80808080808080808080808080808080', 'letter advice cage absurd amount doctor acoustic avoid letter advice cage above'],
  ['ffffffffffffffffffffffffffffffff', 'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong'],
  ['7dce4ed2284c9134d026608ab684c05c', 'lava include region explain simple omit dog slot melt reflect copy reward'],
  ['5baf069620eff15c71dd97c9a6ee328f', 'forum join pitch dove yellow purchase shuffle real situate danger million bunker'],
  ['63deb1e7f0c3de56f4ab43c9d2ae6c86', 'glow void ketchup thunder digital clock sport half six nice open artefact'],
  ['00641669f095b433a304ed0f953f28eb', 'about camera omit thrive forget border metal oval auto prepare sketch stomach'],
  [
    '0000000000000000000000000000000000000000000000000000000000000000',
    'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art',
  ],
  [
    '7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f',
    'legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title',
  ],
  [
    '8080808080808080808080808080808080808080808080808080808080808080',
    'letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless',
  ],
  [
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote',
  ],
  [
    '00ac97c48106f0aeb8ba061e0250a559b3251dc35854e694780ba51d53a50120',
    'absent gorilla van acoustic humor firm title dolphin bulk barely citizen recall crane moment aspect appear track phrase actual enforce steel spoon afraid benefit',
  ],
  [
    '3edc83b60740d77af3afa2fcb82c2f1bc541ee4e2518ddef4996d32453f54a3c',
    'disagree tomato unique attend aspect runway solid violin witness scrap armed daring favorite warm decade perfect target kid grant play early wide cigar night',
  ],
  [
    '89bb4bc5555992cdaf3444c5e7ca5a6e9f27efab894f1990bae41be8b2a26ea4',
    'meadow surge vanish primary odor grocery rubber mass shine dinner notable tag venue water purchase clarify book magic ribbon daughter menu eye ritual orchard',
  ],
  [
    '911fec0fbd88029f6fa99164896c18d898c9232af18bdcca3e42d53b86493104',
    'much youth advance kitchen lens exile salt cram goose enter alert raise milk muscle profit cousin system faint mouse price reveal cause series long',
  ],
];

const LEGAL = BIP39_VECTORS[1][1];
const LEGAL_HEX = BIP39_VECTORS[1][0];

/** Deterministic bytes for round trips (no Math.random in a reproducible test). */
function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

function thrown(f: () => unknown): MnemonicError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof MnemonicError, `expected a MnemonicError, got ${String(e)}`);
    return e;
  }
  assert.fail('did not throw');
}

function replaceWord(text: string, position: number, word: string): string {
  const ws = text.split(' ');
  ws[position - 1] = word;
  return ws.join(' ');
}

describe('mnemonic: BIP-39 vectors', () => {
  for (const [hex, words] of BIP39_VECTORS) {
    it(`${hex.slice(0, 8)}… (${hex.length / 2} bytes) ↔ ${words.split(' ').slice(0, 3).join(' ')}…`, () => {
      assert.equal(encodeMnemonic(fromHex(hex)).join(' '), words);
      const { bytes: back, warnings } = decodeMnemonic(words);
      assert.equal(toHex(back), hex);
      assert.deepStrictEqual(warnings, []);
    });
  }
  it('the word list is BIP-39 English: 2048 words, sorted, unique in their first four letters', () => {
    assert.equal(ENGLISH_WORDS.length, 2048);
    assert.equal(ENGLISH_WORDS[0], 'abandon');
    assert.equal(ENGLISH_WORDS[2047], 'zoo');
    for (let i = 1; i < 2048; i++) assert.ok(ENGLISH_WORDS[i - 1] < ENGLISH_WORDS[i], ENGLISH_WORDS[i]);
    assert.equal(new Set(ENGLISH_WORDS.map((w) => w.slice(0, 4))).size, 2048);
    for (const w of ENGLISH_WORDS) assert.ok(isMnemonicWord(w), w);
    assert.ok(!isMnemonicWord('abandonn') && !isMnemonicWord('') && !isMnemonicWord('aaa') && !isMnemonicWord('zzz'));
  });
});

describe('mnemonic: encode and decode', () => {
  it('64 bytes are 48 words: two standard 24-word mnemonics of the halves', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const b = bytes(64, seed);
      const words = encodeMnemonic(b);
      assert.equal(words.length, 48);
      assert.equal(words.slice(0, 24).join(' '), entropyToMnemonic(b.subarray(0, 32), wordlist));
      assert.equal(words.slice(24).join(' '), entropyToMnemonic(b.subarray(32), wordlist));
      assert.deepStrictEqual(decodeMnemonic(words.join(' ')).bytes, b);
    }
  });
  it('16 and 32 random-looking bytes round-trip', () => {
    for (let seed = 1; seed <= 50; seed++) {
      for (const n of [16, 32]) {
        const b = bytes(n, seed * 7 + n);
        const words = encodeMnemonic(b);
        assert.equal(words.length, n === 16 ? 12 : 24);
        assert.deepStrictEqual(decodeMnemonic(words.join(' ')).bytes, b);
      }
    }
  });
  it('encoding refuses other lengths and non-bytes (caller mistakes: RangeError, TypeError)', () => {
    for (const n of [0, 15, 17, 20, 24, 31, 33, 48, 63, 65])
      assert.throws(
        () => encodeMnemonic(new Uint8Array(n)),
        (e: Error) => e instanceof RangeError && /16, 32 or 64 bytes/.test(e.message) && e.message.includes(`got ${n}`),
      );
    assert.throws(() => encodeMnemonic('00' as unknown as Uint8Array), TypeError);
    assert.throws(() => decodeMnemonic(12 as unknown as string), TypeError);
  });
  it('input is normalised: any case, any whitespace, NFKD (full-width letters)', () => {
    const messy = `  ${LEGAL.toUpperCase().split(' ').join('\n\t ')}\u3000`;
    assert.equal(toHex(decodeMnemonic(messy).bytes), LEGAL_HEX);
    const wide = LEGAL.replace('legal', '\uFF4C\uFF45\uFF47\uFF41\uFF4C'); // ｌｅｇａｌ
    assert.equal(toHex(decodeMnemonic(wide).bytes), LEGAL_HEX);
    assert.equal(toHex(decodeMnemonic(LEGAL.split(' ').join('\u00a0')).bytes), LEGAL_HEX);
  });
});

describe('mnemonic: errors', () => {
  it('mnemonic-length: wrong word counts say which counts are accepted', () => {
    for (const n of [0, 1, 11, 13, 15, 18, 23, 25, 47, 49]) {
      const e = thrown(() => decodeMnemonic(Array(n).fill('abandon').join(' ')));
      assert.equal(e.code, 'mnemonic-length');
      assert.match(e.message, /12, 24 or 48 words/);
      assert.match(e.message, n === 0 ? /got no words/ : n === 1 ? /got 1 word$/ : new RegExp(`got ${n} words`));
      assert.ok(e instanceof FaztError);
      assert.equal(e.name, 'MnemonicError');
    }
  });
  it('mnemonic-length comes before unknown words, and absurdly long text is refused unsplit', () => {
    assert.equal(thrown(() => decodeMnemonic('hello world')).code, 'mnemonic-length');
    const e = thrown(() => decodeMnemonic('abandon '.repeat(1000)));
    assert.equal(e.code, 'mnemonic-length');
    assert.match(e.message, /8000 characters/);
  });
  it('mnemonic-word names the word, its position and the three nearest valid words', () => {
    const e = thrown(() => decodeMnemonic(replaceWord(LEGAL, 3, 'thenk')));
    assert.equal(e.code, 'mnemonic-word');
    assert.match(e.message, /^word 3 'thenk' is not a BIP-39 English word; nearest: thank, /);
    assert.deepStrictEqual(
      e.unknown.map((u) => [u.position, u.word]),
      [[3, 'thenk']],
    );
    assert.equal(e.unknown[0].nearest.length, 3);
    assert.equal(e.unknown[0].nearest[0], 'thank');
  });
  it('mnemonic-word lists every unknown word, in order', () => {
    const text = replaceWord(replaceWord(LEGAL, 12, 'yelow'), 2, 'winer');
    const e = thrown(() => decodeMnemonic(text));
    assert.deepStrictEqual(
      e.unknown.map((u) => u.position),
      [2, 12],
    );
    assert.deepStrictEqual(
      e.unknown.map((u) => u.nearest),
      [
        ['wine', 'winner', 'winter'],
        ['below', 'yellow', 'allow'],
      ],
    );
    assert.equal(
      e.message,
      "word 2 'winer' is not a BIP-39 English word; nearest: wine, winner, winter; word 12 'yelow' is not a BIP-39 English word; nearest: below, yellow, allow",
    );
  });
  it('an unknown word beats a bad checksum: the word is named first', () => {
    const text = replaceWord(replaceWord(LEGAL, 1, 'abandon'), 5, 'wavy');
    assert.equal(thrown(() => decodeMnemonic(text)).code, 'mnemonic-word');
  });
  it('a pasted long word is cut short in the message', () => {
    const e = thrown(() => decodeMnemonic(replaceWord(LEGAL, 4, 'x'.repeat(300))));
    assert.equal(e.unknown[0].word, 'x'.repeat(24) + '…');
    assert.ok(e.message.length < 200);
  });
  it('mnemonic-checksum: all words valid, one wrong or two swapped', () => {
    for (const text of [
      replaceWord(LEGAL, 12, 'year'),
      replaceWord(replaceWord(LEGAL, 1, 'winner'), 2, 'legal'),
      BIP39_VECTORS[0][1].replace('about', 'abandon'),
    ]) {
      const e = thrown(() => decodeMnemonic(text));
      assert.equal(e.code, 'mnemonic-checksum');
      assert.match(e.message, /^the checksum does not match: every word is valid, but one is wrong or out of place$/);
      assert.deepStrictEqual(e.halves, []);
    }
  });
  it('mnemonic-checksum on 48 words names the half that fails, or both', () => {
    const words = encodeMnemonic(bytes(64, 99));
    const wrong = (i: number) => (words[i] === 'abandon' ? 'ability' : 'abandon');
    const cases: [number[], number[], RegExp][] = [
      [[5], [1], /of the first half \(words 1–24\)/],
      [[30], [2], /of the second half \(words 25–48\)/],
      [[5, 30], [1, 2], /of both halves \(words 1–24 and 25–48\)/],
    ];
    for (const [positions, halves, message] of cases) {
      const ws = words.slice();
      for (const p of positions) ws[p] = wrong(p);
      const e = thrown(() => decodeMnemonic(ws.join(' ')));
      assert.equal(e.code, 'mnemonic-checksum');
      assert.deepStrictEqual(e.halves, halves);
      assert.match(e.message, message);
    }
  });
});

describe('mnemonic: nearest words and --fuzzy', () => {
  it('edit distance counts insert, delete, substitute and adjacent swap as one edit each', () => {
    assert.equal(editDistance('abandon', 'abandon'), 0);
    assert.equal(editDistance('abandn', 'abandon'), 1);
    assert.equal(editDistance('abandonn', 'abandon'), 1);
    assert.equal(editDistance('abendon', 'abandon'), 1);
    assert.equal(editDistance('abnadon', 'abandon'), 1);
    assert.equal(editDistance('ca', 'abc'), 3); // optimal string alignment: no edit of a swapped pair
    assert.equal(editDistance('', 'zoo'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
  it('nearest words: up to three, nearest first, ties alphabetical', () => {
    assert.deepStrictEqual(nearestWords('sheel', ENGLISH_WORDS), ['shell', 'steel', 'wheel']);
    assert.deepStrictEqual(nearestWords('ca', ENGLISH_WORDS), ['can', 'car', 'cat']);
    assert.deepStrictEqual(nearestWords('abandn', ENGLISH_WORDS)[0], 'abandon');
    assert.deepStrictEqual(nearestWords('xyzzy', ENGLISH_WORDS), ['dizzy', 'buzz', 'crazy']);
    assert.deepStrictEqual(nearestWords('zoo', ENGLISH_WORDS, 1), ['zoo']);
    // The same answer as sorting the whole list by (distance, word).
    for (const w of ['qqq', 'thenk', 'abcdefgh', 'orbt', 'x']) {
      const all = ENGLISH_WORDS.map((c) => ({ c, d: editDistance(w, c) })).sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1));
      assert.deepStrictEqual(
        nearestWords(w, ENGLISH_WORDS),
        all.slice(0, 3).map((x) => x.c),
        w,
      );
    }
  });
  const fixes: [string, string, number, string][] = [
    ['substitution', 'lagal', 1, 'legal'],
    ['deletion', 'sausge', 6, 'sausage'],
    ['insertion', 'thankk', 3, 'thank'],
    ['transposition', 'yaer', 4, 'year'],
  ];
  for (const [kind, typo, position, word] of fixes) {
    it(`--fuzzy repairs a ${kind} ('${typo}' → '${word}') with a warning naming both`, () => {
      const text = replaceWord(LEGAL, position, typo);
      assert.equal(thrown(() => decodeMnemonic(text)).code, 'mnemonic-word', 'not without --fuzzy');
      const { bytes: b, warnings } = decodeMnemonic(text, { fuzzy: true });
      assert.equal(toHex(b), LEGAL_HEX);
      assert.deepStrictEqual(warnings, [`word ${position} '${typo}' read as '${word}' (one edit away)`]);
    });
  }
  it('--fuzzy repairs several words, each with its warning', () => {
    let text = LEGAL;
    for (const [, typo, position] of fixes) text = replaceWord(text, position, typo);
    const { bytes: b, warnings } = decodeMnemonic(text, { fuzzy: true });
    assert.equal(toHex(b), LEGAL_HEX);
    assert.equal(warnings.length, 4);
  });
  it('a typo one edit from two or more words is not repaired, and the error says why', () => {
    assert.deepStrictEqual(wordsOneEditAway('wrld', ENGLISH_WORDS), ['wild', 'world']);
    const e = thrown(() => decodeMnemonic(replaceWord(BIP39_VECTORS[0][1], 5, 'wrld'), { fuzzy: true }));
    assert.equal(e.code, 'mnemonic-word');
    assert.deepStrictEqual(e.unknown[0].ambiguous, ['wild', 'world']);
    assert.match(e.message, /^word 5 'wrld' is not a BIP-39 English word; it is one edit from wild, world, so --fuzzy cannot choose$/);
  });
  it('a word two edits from any valid word is not repaired', () => {
    assert.deepStrictEqual(wordsOneEditAway('zzusage', ENGLISH_WORDS), []);
    const e = thrown(() => decodeMnemonic(replaceWord(LEGAL, 6, 'zzusage'), { fuzzy: true }));
    assert.equal(e.code, 'mnemonic-word');
    assert.equal(e.unknown[0].ambiguous, undefined);
  });
  it('a repair that breaks the checksum is still a checksum error, and says --fuzzy was involved', () => {
    const text = BIP39_VECTORS[0][1].replace('about', 'abandn'); // read as 'abandon': valid word, wrong checksum
    const e = thrown(() => decodeMnemonic(text, { fuzzy: true }));
    assert.equal(e.code, 'mnemonic-checksum');
    assert.match(e.message, /after --fuzzy read one word differently/);
  });
  it('--fuzzy works on 48 words, and the warning gives the position in all 48', () => {
    const legal24 = BIP39_VECTORS[9][1];
    const b = fromHex(BIP39_VECTORS[9][0].repeat(2));
    const text = replaceWord(`${legal24} ${legal24}`, 30, 'sausge');
    const { bytes: back, warnings } = decodeMnemonic(text, { fuzzy: true });
    assert.deepStrictEqual(back, b);
    assert.deepStrictEqual(warnings, ["word 30 'sausge' read as 'sausage' (one edit away)"]);
  });
});

describe('mnemonic: invites as words', () => {
  it('an invite token is 24 words whose words 16–23 are the same for every invite', () => {
    const a = inviteToMnemonic('fzi' + 'a'.repeat(32));
    const b = inviteToMnemonic('fzi' + '7'.repeat(32));
    assert.equal(a.length, 24);
    assert.deepStrictEqual(a.slice(15, 23), b.slice(15, 23));
    assert.deepStrictEqual(a.slice(15, 23), ['slow', 'kidney', 'pause', 'surge', 'table', 'grief', 'riot', 'network']);
  });
  it("the hub's real invites round-trip through words", () => {
    const c = Cartridge.open(':memory:');
    try {
      for (let i = 0; i < 20; i++) {
        const { token } = c.createInvite({ ttlMs: 60_000 });
        assert.match(token, INVITE_TOKEN_PATTERN);
        const words = inviteToMnemonic(token);
        assert.equal(inviteFromMnemonic(words.join(' ')).token, token);
        assert.ok(isInviteBytes(decodeMnemonic(words.join(' ')).bytes));
      }
    } finally {
      c.close();
    }
  });
  it('words that are not an invite are refused as such; bad tokens are caller mistakes', () => {
    assert.equal(thrown(() => inviteFromMnemonic(BIP39_VECTORS[12][1])).code, 'mnemonic-invite');
    assert.match(thrown(() => inviteFromMnemonic(LEGAL)).message, /an invite is 24 words; these are 12/);
    assert.equal(thrown(() => inviteFromBytes(new Uint8Array(32))).code, 'mnemonic-invite');
    assert.throws(() => inviteToMnemonic('fzi' + 'a'.repeat(31)), RangeError);
    assert.throws(() => inviteToMnemonic('FZI' + 'a'.repeat(32)), RangeError);
  });
  it('a mis-heard invite word is repaired by --fuzzy like any other', () => {
    const token = 'fzi' + 'abcdefghijklmnopqrstuvwxyz234567';
    const words = inviteToMnemonic(token);
    words[17] = 'pauze';
    const { token: back, warnings } = inviteFromMnemonic(words.join(' '), { fuzzy: true });
    assert.equal(back, token);
    assert.deepStrictEqual(warnings, ["word 18 'pauze' read as 'pause' (one edit away)"]);
  });
});
