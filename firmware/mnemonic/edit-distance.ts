/**
 * Optimal string alignment distance (restricted Damerau–Levenshtein): the
 * fewest single-character insertions, deletions, substitutions and swaps of
 * two adjacent characters that turn `a` into `b`, no substring edited twice.
 * "abandn"→"abandon" is 1 (insert), "abnadon"→"abandon" is 1 (swap).
 * Two rows of (b.length + 1) numbers plus one more for the swap: memory is
 * bounded by the shorter caller-chosen word, never by the input text.
 */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  let before = new Array<number>(n + 1); // row i - 2
  let prev = new Array<number>(n + 1); // row i - 1
  let cur = new Array<number>(n + 1); // row i
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) d = Math.min(d, before[j - 2] + 1);
      cur[j] = d;
    }
    const spare = before;
    before = prev;
    prev = cur;
    cur = spare;
  }
  return prev[n];
}
