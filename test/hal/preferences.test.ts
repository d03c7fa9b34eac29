import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { memoryPreferences, type Preferences } from '../../hal/contracts/preferences.js';
import { filePreferences } from '../../hal/linux/file-preferences.js';
import { moddablePreferences } from '../../hal/moddable/moddable-preferences.js';
import { simPreferenceModule } from '../../sim/moddable/sim-preference-module.js';

const dir = mkdtempSync(join(tmpdir(), 'fazt-prefs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const stores: [string, () => Preferences][] = [
  ['memory', () => memoryPreferences()],
  ['file', () => filePreferences(join(mkdtempSync(join(dir, 's-')), 'prefs.json'))],
  ['moddable', () => moddablePreferences(simPreferenceModule())],
];

for (const [name, make] of stores) {
  describe(`${name} preferences`, () => {
    it('keeps each kind of value, and bytes are copies', () => {
      const p = make();
      p.set('fazt', 'seq', 41);
      p.set('fazt', 'ok', true);
      p.set('fazt', 'ssid', 'home');
      const bytes = Uint8Array.from([1, 2, 3]);
      p.set('fazt', 'hash', bytes);
      bytes[0] = 9;
      assert.equal(p.get('fazt', 'seq'), 41);
      assert.equal(p.get('fazt', 'ok'), true);
      assert.equal(p.get('fazt', 'ssid'), 'home');
      const got = p.get('fazt', 'hash');
      assert.deepEqual(got, Uint8Array.from([1, 2, 3]));
      (got as Uint8Array)[1] = 7;
      assert.deepEqual(p.get('fazt', 'hash'), Uint8Array.from([1, 2, 3]));
      assert.deepEqual(p.keys('fazt').sort(), ['hash', 'ok', 'seq', 'ssid']);
      p.delete('fazt', 'ssid');
      assert.equal(p.get('fazt', 'ssid'), undefined);
      assert.deepEqual(p.keys('other'), []);
    });

    it('refuses names longer than NVS takes and values it cannot store', () => {
      const p = make();
      assert.throws(() => p.set('fazt', 'a-key-of-16-char', 1), /preference key must be 1\.\.15 characters/);
      assert.throws(() => p.get('', 'k'), /preference domain/);
      assert.throws(() => p.set('fazt', 'k', 1.5), /32-bit integer/);
      assert.throws(() => p.set('fazt', 'k', 2 ** 31), /32-bit integer/);
      assert.throws(() => p.set('fazt', 'k', { a: 1 } as unknown as string), /must be a boolean/);
      assert.equal(p.get('fazt', 'k'), undefined);
    });
  });
}

describe('file preferences', () => {
  it('survive a reopen, and a write replaces the file whole', () => {
    const file = join(dir, 'reopen.json');
    const a = filePreferences(file);
    a.set('fazt', 'seq', 7);
    a.set('fazt', 'hash', Uint8Array.from([0xab, 0xcd]));
    const b = filePreferences(file);
    assert.equal(b.get('fazt', 'seq'), 7);
    assert.deepEqual(b.get('fazt', 'hash'), Uint8Array.from([0xab, 0xcd]));
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { fazt: { seq: 7, hash: { bytes: 'abcd' } } });
  });

  it('name the file that is not JSON', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"fazt":');
    assert.throws(
      () => filePreferences(file),
      (e: Error) => e.message.startsWith(`preferences file ${file} is not JSON`),
    );
  });
});
