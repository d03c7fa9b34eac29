/**
 * Key objects by their raw bytes, least recently used dropped first. Sized
 * for a fleet: a hub verifies every node's key in turn, so a bound below
 * the fleet's size would rebuild every key on every batch (a cyclic pattern
 * defeats any eviction order), and one that empties itself when full
 * rebuilds them all at once.
 */
export class KeyCache<K> {
  private readonly keys = new Map<string, K>();

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`key cache limit must be a whole number ≥ 1, got ${limit}`);
  }

  get size(): number {
    return this.keys.size;
  }

  /** The key for `raw`, made by `make` when not held. */
  get(raw: Uint8Array, make: () => K): K {
    const k = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
    let key = this.keys.get(k);
    if (key === undefined) {
      if (this.keys.size >= this.limit) this.keys.delete(this.keys.keys().next().value as string);
      key = make();
    } else this.keys.delete(k); // moved to the newest end
    this.keys.set(k, key);
    return key;
  }
}
