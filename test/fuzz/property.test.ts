import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzTarget } from '../../bench/fuzz/fuzz-target.js';
import { targets } from '../../bench/fuzz/targets.js';

/**
 * A short run of the fuzzer (npm run fuzz) in the suite: 500 mutated
 * samples per target, fixed seed, so a decoder change that throws a bare
 * TypeError on malformed input fails here and not only in the long run.
 * No time bound per input in the suite (a loaded machine is not a hang).
 */
describe('fuzzing in brief: mutated samples get a coded refusal or are accepted', () => {
  for (const t of targets) {
    it(`${t.name}: ${t.what}`, () => {
      const r = fuzzTarget(t, { runs: 500, seed: 19, perInputMs: Number.POSITIVE_INFINITY });
      assert.equal(r.runs, 500);
      assert.deepEqual(
        r.findings.map((f) => `${f.count}× ${f.message}`),
        [],
      );
      // The mutations reach past the codec: more than one kind of refusal, and some inputs still accepted or refused late.
      assert.ok(Object.keys(r.outcomes).length >= 2, JSON.stringify(r.outcomes));
    });
  }
});
