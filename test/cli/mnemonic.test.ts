import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runFazt } from '../helpers/child-process.js';

/** Runs the built CLI (npm test builds dist/ first) as a user would. */
const fazt = (args: string[], input?: string) => runFazt(args, { input });
const tmp = mkdtempSync(join(tmpdir(), 'fazt-mnemonic-'));

/** BIP-39 reference vectors (trezor/python-mnemonic vectors.json; test/mnemonic has all sixteen). */
const LEGAL_HEX = '7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f';
const LEGAL = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const V32_HEX = '89bb4bc5555992cdaf3444c5e7ca5a6e9f27efab894f1990bae41be8b2a26ea4';
const V32 =
  'meadow surge vanish primary odor grocery rubber mass shine dinner notable tag venue water purchase clarify book magic ribbon daughter menu eye ritual orchard';

/** One line on stderr, nothing on stdout, the exit code and the text expected. */
function fails(r: { code: number; out: string; err: string }, code: number, message: RegExp): void {
  assert.equal(r.code, code, r.err);
  assert.equal(r.out, '');
  assert.equal(r.err.split('\n').filter(Boolean).length, 1, r.err);
  assert.match(r.err, message);
}

describe('fazt mnemonic', () => {
  it('answers --help at every level', () => {
    for (const args of [
      ['mnemonic', '--help'],
      ['mnemonic', 'encode', '--help'],
      ['mnemonic', 'decode', '--help'],
    ]) {
      const r = fazt(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.out, /^Usage: fazt mnemonic/, args.join(' '));
    }
    assert.match(fazt(['mnemonic', 'decode', '--help']).out, /--fuzzy/);
  });
  it("encode: hex on the command line, hex on stdin, or a file's bytes", () => {
    assert.deepStrictEqual(fazt(['mnemonic', 'encode', LEGAL_HEX]), { code: 0, out: LEGAL + '\n', err: '' });
    assert.equal(fazt(['mnemonic', 'encode'], `${V32_HEX}\n`).out, V32 + '\n');
    const file = join(tmp, 'sixty-four.bin');
    writeFileSync(file, Buffer.from(V32_HEX + V32_HEX.toUpperCase(), 'hex'));
    const r = fazt(['mnemonic', 'encode', '--file', file]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${V32} ${V32}\n`);
  });
  it('decode: words → hex (the default, or --hex), from the command line or stdin', () => {
    assert.deepStrictEqual(fazt(['mnemonic', 'decode', LEGAL]), { code: 0, out: LEGAL_HEX + '\n', err: '' });
    assert.equal(fazt(['mnemonic', 'decode', '--hex', ...V32.toUpperCase().split(' ')]).out, V32_HEX + '\n');
    assert.equal(fazt(['mnemonic', 'decode'], `${V32}\n${V32}\n`).out, V32_HEX + V32_HEX + '\n');
  });
  it('decode --out writes the bytes with mode 0600 and does not overwrite', () => {
    const file = join(tmp, 'seed.bin');
    const r = fazt(['mnemonic', 'decode', V32, '--out', file]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote 32 bytes/);
    assert.equal(readFileSync(file).toString('hex'), V32_HEX);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    fails(fazt(['mnemonic', 'decode', V32, '--out', file]), 2, /exists; it is not overwritten/);
  });
  it('decode --fuzzy repairs one-edit typos, warning on stderr', () => {
    const r = fazt(['mnemonic', 'decode', '--fuzzy', LEGAL.replace('legal', 'lagal').replace('year', 'yaer')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, LEGAL_HEX + '\n');
    assert.equal(r.err, "fazt: warning: word 1 'lagal' read as 'legal' (one edit away)\nfazt: warning: word 4 'yaer' read as 'year' (one edit away)\n");
  });
  it('bad input: one line on stderr naming the problem, non-zero exit', () => {
    fails(fazt(['mnemonic', 'decode', 'legal winner thank']), 1, /^fazt: mnemonic-length: a mnemonic has 12, 24 or 48 words .*got 3 words\n$/);
    fails(
      fazt(['mnemonic', 'decode', LEGAL.replace('thank', 'thenk')]),
      1,
      /^fazt: mnemonic-word: word 3 'thenk' is not a BIP-39 English word; nearest: thank, /,
    );
    fails(
      fazt(['mnemonic', 'decode', '--fuzzy', LEGAL.replace('wave', 'wrld')]),
      1,
      /mnemonic-word: word 5 'wrld' .* one edit from wild, world, so --fuzzy cannot choose/,
    );
    fails(fazt(['mnemonic', 'decode', LEGAL.replace('yellow', 'year')]), 1, /^fazt: mnemonic-checksum: the checksum does not match/);
    fails(fazt(['mnemonic', 'decode', `${V32} ${V32.replace('meadow', 'orchard')}`]), 1, /mnemonic-checksum: the checksum of the second half \(words 25–48\)/);
    fails(fazt(['mnemonic', 'encode', 'abcd']), 1, /^fazt: mnemonic-length: 2 bytes cannot be words: a mnemonic carries 16, 32 or 64 bytes/);
    fails(fazt(['mnemonic', 'encode', 'xyz']), 1, /bad-hex/);
    fails(fazt(['mnemonic', 'encode'], ''), 2, /give hex, --file F, or hex on stdin/);
    fails(fazt(['mnemonic', 'encode', '--file', join(tmp, 'sixty-four.bin'), LEGAL_HEX]), 2, /not both/);
    fails(fazt(['mnemonic', 'decode', LEGAL, '--hex', '--out', join(tmp, 'x')]), 2, /exclude each other/);
    fails(fazt(['mnemonic', 'decode', LEGAL, '--invite']), 1, /mnemonic-invite: an invite is 24 words; these are 12/);
    fails(fazt(['mnemonic', 'decode', V32, '--invite']), 1, /mnemonic-invite: these words are valid but are not a Fazt invite/);
  });
});

describe('--format mnemonic on keys and invites', () => {
  it('keygen --format mnemonic prints the id, the public key and 24 words that decode to the seed', () => {
    const r = fazt(['keygen', '--format', 'mnemonic']);
    assert.equal(r.code, 0, r.err);
    const m =
      /^node id {4}(fz[a-z2-7]{24})\npublic key ([0-9a-f]{64})\nsecret key \(24 words; whoever has them has the key\):\n((?:[a-z]+ ){11}[a-z]+)\n((?:[a-z]+ ){11}[a-z]+)\n$/.exec(
        r.out,
      );
    assert.ok(m, r.out);
    const restored = fazt(['keygen', '--from-mnemonic', `${m[3]}\n${m[4]}`, '--json', '--format', 'mnemonic']);
    assert.deepStrictEqual(JSON.parse(restored.out), { id: m[1], publicKey: m[2], mnemonic: `${m[3]} ${m[4]}` });
  });
  it('keygen -o --format mnemonic writes the JSON key file as before and prints the words of its seed', () => {
    const file = join(tmp, 'key.json');
    const r = fazt(['keygen', '-o', file, '--format', 'mnemonic']);
    assert.equal(r.code, 0, r.err);
    const key = JSON.parse(readFileSync(file, 'utf8')) as { id: string; publicKey: string; secretKey: string };
    assert.match(key.secretKey, /^[0-9a-f]{64}$/, 'the secret key in hex, like every key the CLI writes');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(r.out.startsWith(`node id    ${key.id}\npublic key ${key.publicKey}\nwritten to ${file} (mode 0600)\nsecret key (24 words`));
    const words = r.out.split('\n').slice(4).join(' ').trim();
    assert.equal(words.split(' ').length, 24);
    assert.equal(fazt(['mnemonic', 'decode'], words).out.trim(), key.secretKey);
    const restored = JSON.parse(fazt(['keygen', '--from-mnemonic', '-'], words).out) as typeof key;
    assert.deepStrictEqual(restored, key);
  });
  it('keygen refuses a bad --format and words that are not a 32-byte seed', () => {
    fails(fazt(['keygen', '--format', 'words']), 2, /--format 'words' is not json or mnemonic/);
    fails(fazt(['keygen', '--from-mnemonic', LEGAL]), 1, /mnemonic-length: a key's secret seed is 24 words; these are 12/);
    fails(fazt(['keygen', '--from-mnemonic', LEGAL.replace('yellow', 'year')]), 1, /mnemonic-checksum/);
  });
  it('invite --format mnemonic prints 24 words that fazt mnemonic decode --invite turns back into the token', () => {
    const data = join(tmp, 'hub');
    mkdirSync(data);
    const r = fazt(['invite', '--data', data, '--format', 'mnemonic', '--note', 'kitchen']);
    assert.equal(r.code, 0, r.err);
    const token = /^invite (fzi[a-z2-7]{32})\n/.exec(r.out)?.[1];
    assert.ok(token, r.out);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[3], /^words \(read them out; fazt mnemonic decode --invite recovers the token\):$/);
    const words = lines.slice(4).join(' ');
    assert.equal(words.split(' ').length, 24);
    assert.deepStrictEqual(fazt(['mnemonic', 'decode', '--invite', words]), { code: 0, out: token + '\n', err: '' });
    // Heard over a bad line: one word mis-spelt.
    const heard = words.split(' ');
    heard[17] = 'pauze';
    const fuzzy = fazt(['mnemonic', 'decode', '--invite', '--fuzzy', heard.join(' ')]);
    assert.equal(fuzzy.out, token + '\n');
    assert.match(fuzzy.err, /word 18 'pauze' read as 'pause'/);
    // Without --invite: the 32 bytes as hex, and a note saying what they are.
    const plain = fazt(['mnemonic', 'decode', words]);
    assert.match(plain.out, /^[0-9a-f]{64}\n$/);
    assert.match(plain.err, /these words are a Fazt invite; --invite prints its token/);
  });
  it('invite --format mnemonic --json adds the words; a bad --format is refused', () => {
    const data = join(tmp, 'hub-json');
    mkdirSync(data);
    const j = JSON.parse(fazt(['invite', '--data', data, '--format', 'mnemonic', '--json']).out) as { token: string; mnemonic: string };
    assert.equal(fazt(['mnemonic', 'decode', '--invite', j.mnemonic]).out, j.token + '\n');
    assert.equal((JSON.parse(fazt(['invite', '--data', data, '--json']).out) as { mnemonic?: string }).mnemonic, undefined);
    fails(fazt(['invite', '--data', data, '--format', 'hex']), 2, /--format 'hex' is not text or mnemonic/);
  });
});
