import fc from 'fast-check';
import { byteOp, mutateBytes } from './byte-mutations.js';
import type { FuzzTarget } from './targets.js';
import { mutateTree, type Tree } from './tree-mutations.js';

/**
 * The inputs of one target as a fast-check arbitrary: a real sample, for a
 * target with a tree codec sometimes mutated structurally and re-encoded,
 * then zero to six byte mutations. Everything is drawn by fast-check, so
 * the printed seed gives the same inputs again. For a tree target a third
 * of the inputs are mutated structurally only (so most reach the checks
 * after the codec), a third byte-wise only, a third both.
 */
export function inputArbitrary(target: FuzzTarget): fc.Arbitrary<Uint8Array> {
  const { samples, tree } = target;
  if (samples.length === 0) throw new RangeError(`fuzz target ${target.name} has no samples`);
  const trees: (Tree | undefined)[] = samples.map((s) => {
    try {
      return tree?.decode(s);
    } catch {
      return undefined;
    }
  });
  return fc
    .tuple(
      fc.nat(samples.length - 1),
      tree ? fc.array(byteOp, { minLength: 1, maxLength: 4 }) : fc.constant([]),
      fc.array(byteOp, { maxLength: 6 }),
      fc.nat(samples.length - 1),
      fc.nat(2),
    )
    .map(([i, structural, bytewise, other, mode]) => {
      const treeOps = mode === 1 ? [] : structural;
      const ops = tree && mode === 0 ? [] : bytewise;
      let base = samples[i];
      const t = trees[i];
      if (tree && t !== undefined && treeOps.length > 0) {
        try {
          base = tree.encode(mutateTree(t, treeOps));
        } catch {
          // a tree the codec cannot write (a NaN in JSON is written as null; others are skipped)
        }
      }
      return mutateBytes(base, ops, [samples[other]]);
    });
}
