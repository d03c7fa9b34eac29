import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { targetNamed, targets, unexpectedError } from '../../bench/fuzz/targets.js';

/**
 * Every input the fuzzer (npm run fuzz) found a bug with, replayed: each
 * must now be accepted or refused with the target's coded error.
 * test/fuzz-corpus/<target>/*.bin, one input per file.
 */
const corpus = new URL('../fuzz-corpus/', import.meta.url);

describe('the fuzz corpus: inputs that once found a bug', () => {
  it('names only existing targets', () => {
    for (const dir of existsSync(corpus) ? readdirSync(corpus) : []) assert.doesNotThrow(() => targetNamed(dir), dir);
  });
  for (const t of targets) {
    const dir = new URL(`${t.name}/`, corpus);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bin')) : [];
    if (files.length === 0) continue;
    it(`${t.name}: ${files.length} input(s) refused with a coded error or accepted`, () => {
      const bugs = files.flatMap((f) => {
        const e = unexpectedError(t, new Uint8Array(readFileSync(new URL(f, dir))));
        return e === undefined ? [] : [`${f}: ${e instanceof Error ? (e.stack ?? '').split('\n').slice(0, 3).join(' ') : String(e)}`];
      });
      assert.deepEqual(bugs, []);
    });
  }
});
