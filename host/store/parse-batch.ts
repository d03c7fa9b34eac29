import { batchFromValue, batchToValue, type Batch } from '../../firmware/batch/batch.js';
import { compactBatchFromValue, type DecodedCompact, isCompactBatch } from '../../firmware/batch/compact-batch.js';
import type { CompactDictionary } from '../../firmware/batch/compact-dictionary.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { fromJsonValue, toJsonValue } from '../../firmware/codec/json-form.js';
import type { Value } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { validateOnHost } from '../schema/host-validators.js';

/**
 * An uplink batch from the wire, checked against
 * schemas/uplink-batch.schema.json in its JSON form before it becomes a
 * Batch. Throws CodecError (bytes) or SchemaError (path and rule).
 */
function uplinkBatchFromValue(value: Value): Batch {
  validateOnHost('uplinkBatch', toJsonValue(value));
  return batchFromValue(value);
}

/** From an already parsed JSON document (byte strings as {"$bytes": …}): validated before conversion. */
export function uplinkBatchFromJson(json: unknown): Batch {
  validateOnHost('uplinkBatch', json);
  return batchFromValue(fromJsonValue(json));
}

/** What a receiver needs to read compact batches: the crypto that rebuilds entries and the dictionaries it holds. */
export interface CompactContext {
  crypto: CryptoProvider;
  dictionary: (node: string, hash: Uint8Array) => CompactDictionary | undefined;
}

/**
 * Either form: a map is a full batch, an array a compact one, rebuilt entry
 * by entry (firmware/batch/compact-batch.ts) and then held to the same schema
 * as a full batch, so every refusal applies to both. Throws CodecError,
 * SchemaError or VerifyError ('malformed', 'unknown-dictionary').
 */
export function uplinkFromValue(value: Value, compact: CompactContext): DecodedCompact {
  if (!isCompactBatch(value)) return { batch: uplinkBatchFromValue(value) };
  const decoded = compactBatchFromValue(value, compact.crypto, compact.dictionary);
  validateOnHost('uplinkBatch', toJsonValue(batchToValue(decoded.batch)));
  return decoded;
}

/** From deterministic CBOR, through the strict decoder: either form. */
export function uplinkFromCbor(bytes: Uint8Array, compact: CompactContext): DecodedCompact {
  return uplinkFromValue(decodeCbor(bytes), compact);
}
