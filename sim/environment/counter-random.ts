/**
 * Counter-based randomness: each draw is a pure function of (seed, index),
 * so any index can be drawn in any order and nothing is kept between draws
 * (the idea of Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011; mixed here with MurmurHash3's 32-bit finaliser, a bijection with
 * full avalanche). Indices are whole numbers in [0, 2^53).
 */

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** 32 random bits for (seed, index, stream); streams give independent draws at the same index. */
function hashAt(seed: number, index: number, stream = 0): number {
  const lo = index >>> 0;
  const hi = Math.floor(index / 4294967296) >>> 0;
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ lo);
  h = fmix32(h ^ hi ^ Math.imul(stream + 1, 0x27d4eb2f));
  return fmix32((h + 0x165667b1) >>> 0);
}

/** Uniform in (0, 1), never 0 or 1. */
export function uniformAt(seed: number, index: number, stream = 0): number {
  return (hashAt(seed, index, stream) + 0.5) / 4294967296;
}

/** A standard normal (mean 0, variance 1) for (seed, index): Box–Muller on two streams. */
export function normalAt(seed: number, index: number): number {
  return Math.sqrt(-2 * Math.log(uniformAt(seed, index, 0))) * Math.cos(2 * Math.PI * uniformAt(seed, index, 1));
}
