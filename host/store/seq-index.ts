/**
 * Where `seq` sits in `entries` (seqs strictly ascending, as a verified
 * bundle's are), or -1: a binary search, so a page of thousands of entries
 * needs no Map from seq to index for its few checkpoints' ends.
 */
export function indexOfSeq(entries: readonly { seq: number }[], seq: number): number {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = entries[mid].seq;
    if (s === seq) return mid;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
