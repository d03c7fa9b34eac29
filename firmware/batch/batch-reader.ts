import { toHex } from '../codec/text-encodings.js';
import type { Value } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { batchFromValue, type Batch } from './batch.js';
import { compactBatchFromValue, isCompactBatch } from './compact-batch.js';
import type { CompactDictionary } from './compact-dictionary.js';

/**
 * Reads batches of either form for a receiver that keeps its dictionaries in
 * memory: a tool reading a capture, a test's scripted hub, a board that
 * hears batches over sound. (The hub keeps its own in the cartridge, and
 * only once a batch is accepted: host/store/dictionaries.ts.) A dictionary
 * carried whole is remembered as soon as it is read.
 */
export class BatchReader {
  private readonly dictionaries = new Map<string, CompactDictionary>();

  constructor(private readonly crypto: CryptoProvider) {}

  /** A decoded batch (a map: full; an array: compact), without verifying it (verifyBatch does). */
  read(v: Value): Batch {
    if (!isCompactBatch(v)) return batchFromValue(v);
    const { batch, carried } = compactBatchFromValue(v, this.crypto, (node, hash) => this.dictionaries.get(`${node}/${toHex(hash)}`));
    if (carried) this.dictionaries.set(`${batch.node}/${toHex(carried.hash)}`, carried);
    return batch;
  }
}
