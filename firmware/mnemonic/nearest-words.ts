import { editDistance } from './edit-distance.js';

/** Longer input is cut to this many characters before comparing (the longest BIP-39 English word has 8). */
const MAX_COMPARED = 24;

/**
 * The `limit` words of `list` nearest to `word` by edit distance
 * (editDistance: insert, delete, substitute, swap adjacent), nearest first,
 * ties in alphabetical order.
 */
export function nearestWords(word: string, list: readonly string[], limit = 3): string[] {
  if (!(limit >= 1)) return [];
  const w = word.slice(0, MAX_COMPARED);
  const best: { word: string; d: number }[] = [];
  for (let i = 0; i < list.length; i++) {
    const candidate = list[i];
    // The distance is at least the difference in length: skip words that cannot beat the current last place.
    if (best.length === limit && Math.abs(candidate.length - w.length) > best[limit - 1].d) continue;
    const d = editDistance(w, candidate);
    if (best.length === limit && !better(d, candidate, best[limit - 1])) continue;
    let k = best.length === limit ? limit - 1 : best.length;
    best[k] = { word: candidate, d };
    while (k > 0 && better(best[k].d, best[k].word, best[k - 1])) {
      const t = best[k - 1];
      best[k - 1] = best[k];
      best[k] = t;
      k--;
    }
  }
  return best.map((b) => b.word);
}

function better(d: number, word: string, than: { word: string; d: number }): boolean {
  return d < than.d || (d === than.d && word < than.word);
}

/** Every word of `list` exactly one edit from `word` (none when `word` is itself in the list). */
export function wordsOneEditAway(word: string, list: readonly string[]): string[] {
  const found: string[] = [];
  if (word.length > MAX_COMPARED) return found;
  for (let i = 0; i < list.length; i++) {
    const candidate = list[i];
    if (Math.abs(candidate.length - word.length) > 1) continue;
    if (editDistance(word, candidate) === 1) found.push(candidate);
  }
  return found;
}
