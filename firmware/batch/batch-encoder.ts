import { encodeCbor } from '../codec/cbor-encode.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { batchToValue, type Batch } from './batch.js';
import { compactBatchToValue } from './compact-batch.js';
import { type CompactDictionary, type DictionaryItem, dictionaryOf, itemKey, itemOf, MAX_DICTIONARY_ITEMS } from './compact-dictionary.js';

/**
 * How the uplink turns a signed batch into bytes, and learns from the hub's
 * answer. The batch itself (and its signature) is the same in every form.
 */
export interface BatchEncoder {
  encode(batch: Batch): Uint8Array;
  /** The hub accepted the last batch encoded. */
  accepted?(): void;
  /** The hub refused the last batch with `code`; true when sending again at once will succeed. */
  refused?(code: string): boolean;
}

/** The full form: every entry whole (the form the README's JSON shows). */
export const fullBatchEncoder: BatchEncoder = { encode: (b) => encodeCbor(batchToValue(b)) };

/**
 * The compact form (firmware/batch/compact-batch.ts) with the node's
 * dictionary: an item is added the first time an entry needs it, the
 * dictionary travels whole until the hub has accepted a batch that carried
 * or named it, and by its hash after. A hub that does not hold it (another
 * hub, a restored one) refuses with 'unknown-dictionary' and gets it whole
 * at once.
 */
export class CompactBatchEncoder implements BatchEncoder {
  private items: DictionaryItem[] = [];
  private keys = new Set<string>();
  private dictionary: CompactDictionary | undefined;
  /** The dictionary the hub is known to hold. */
  private held: Uint8Array | undefined;
  private last: { hash: Uint8Array; inline: boolean } | undefined;

  constructor(private readonly crypto: CryptoProvider) {}

  encode(batch: Batch): Uint8Array {
    const needed = batch.entries.map(itemOf).filter((item) => !this.keys.has(itemKey(item)));
    if (needed.length) {
      // A dictionary that would grow too big starts again from what this batch needs.
      if (this.items.length + needed.length > MAX_DICTIONARY_ITEMS) {
        this.items = [];
        this.keys.clear();
      }
      for (const item of batch.entries.map(itemOf)) {
        const k = itemKey(item);
        if (!this.keys.has(k)) {
          this.keys.add(k);
          this.items.push(item);
        }
      }
      this.dictionary = dictionaryOf(this.items.slice(), this.crypto);
    }
    const d = this.dictionary as CompactDictionary;
    // Each dictionary gets a new hash array, so the same array means the same dictionary.
    const inline = this.held !== d.hash;
    this.last = { hash: d.hash, inline };
    return encodeCbor(compactBatchToValue(batch, d, inline));
  }

  accepted(): void {
    if (this.last) this.held = this.last.hash;
  }

  refused(code: string): boolean {
    if (code !== 'unknown-dictionary' || !this.last) return false;
    this.held = undefined;
    // Named by hash, it can go again whole at once; sent whole and still refused, only the backoff helps.
    return !this.last.inline;
  }
}
