import { batchToValue, type Batch } from '../../firmware/batch/batch.js';
import { compactBatchToValue } from '../../firmware/batch/compact-batch.js';
import { dictionaryOf, type DictionaryItem, itemKey, itemOf } from '../../firmware/batch/compact-dictionary.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import type { Value } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { UsageError } from '../cli/command.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import { uplinkFromValue } from '../store/parse-batch.js';
import { MAX_MESSAGE_BYTES } from './frames.js';

/**
 * A node's signed batch as the message a chirp carries. Sound has no round
 * trip, so the receiver cannot be asked for a dictionary it lacks: the batch
 * always travels in the compact form with its dictionary inline
 * (firmware/batch/compact-batch.ts), whichever form the file holds. The
 * signature covers the batch whole, so one too big for a message cannot be
 * split here; the node has to sign smaller batches.
 */
export interface ChirpBatch {
  batch: Batch;
  /** [2, key, first, prev, head, sig, dictionary items, clock, entries, dropped?] */
  value: Value;
  /** Its deterministic CBOR: the message sent. */
  bytes: Uint8Array;
  /** The full form's size, for comparison. */
  fullBytes: number;
}

/** The compact value of a batch with its dictionary inline: one item per distinct (type, component, name, unit), in first-use order. */
export function inlineCompactValue(batch: Batch, crypto: CryptoProvider = nodeCrypto): Value {
  const items = new Map<string, DictionaryItem>();
  for (const item of batch.entries.map(itemOf)) if (!items.has(itemKey(item))) items.set(itemKey(item), item);
  return compactBatchToValue(batch, dictionaryOf([...items.values()], crypto), true);
}

/**
 * A batch file's bytes (CBOR of either form) as a chirp message. Refuses
 * bytes that are not CBOR, not a batch, a compact batch naming its
 * dictionary by hash (nothing here holds it), a batch that does not verify,
 * and one whose compact form exceeds one message.
 */
export function chirpBatch(file: string, bytes: Uint8Array, crypto: CryptoProvider = nodeCrypto): ChirpBatch {
  let decoded: Value;
  try {
    decoded = decodeCbor(bytes);
  } catch (e) {
    throw new UsageError(`${file} is not a batch: not deterministic CBOR (${(e as Error).message})`);
  }
  let batch: Batch;
  try {
    batch = uplinkFromValue(decoded, { crypto, dictionary: () => undefined }).batch;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'unknown-dictionary')
      throw new UsageError(
        `${file} is a compact batch that names its dictionary by hash: over sound it must carry it, so give the full form or one with its dictionary inline`,
      );
    throw new UsageError(`${file} is not a batch${code ? ` (${code})` : ''}: ${(e as Error).message}`);
  }
  try {
    verifyBatch(batch, { crypto });
  } catch (e) {
    throw new UsageError(`${file}: the batch does not verify (${(e as { code?: string }).code ?? 'error'}): ${(e as Error).message}`);
  }
  const value = inlineCompactValue(batch, crypto);
  const message = encodeCbor(value);
  const fullBytes = encodeCbor(batchToValue(batch)).length;
  if (message.length > MAX_MESSAGE_BYTES) {
    throw new UsageError(
      `${file}: the batch of ${batch.entries.length} entries is ${message.length} bytes in its compact form (${fullBytes} in full); one chirp message carries at most ${MAX_MESSAGE_BYTES} bytes, and a signed batch cannot be split: have the node sign smaller batches`,
    );
  }
  return { batch, value, bytes: message, fullBytes };
}

/** One line about the batch a chirp carries. */
export function batchNote(b: ChirpBatch): string {
  const n = b.batch.entries.length;
  return `a batch of ${n} entr${n === 1 ? 'y' : 'ies'} from ${b.batch.node} (seq ${b.batch.first}–${b.batch.last}): ${b.bytes.length} bytes compact with its dictionary (${(b.bytes.length / n).toFixed(1)} B an entry; the full form is ${b.fullBytes} B)`;
}
