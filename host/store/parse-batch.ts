import { batchFromValue, type Batch } from '../../firmware/batch/batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { fromJsonValue, toJsonValue } from '../../firmware/codec/json-form.js';
import type { Value } from '../../firmware/codec/value.js';
import { validateOnHost } from '../schema/host-validators.js';

/**
 * An uplink batch from the wire, checked against
 * schemas/uplink-batch.schema.json in its JSON form before it becomes a
 * Batch. Throws CodecError (bytes) or SchemaError (path and rule).
 */
export function uplinkBatchFromValue(value: Value): Batch {
  validateOnHost('uplinkBatch', toJsonValue(value));
  return batchFromValue(value);
}

/** From deterministic CBOR, through the strict decoder. */
export function uplinkBatchFromCbor(bytes: Uint8Array): Batch {
  return uplinkBatchFromValue(decodeCbor(bytes));
}

/** From an already parsed JSON document (byte strings as {"$bytes": …}): validated before conversion. */
export function uplinkBatchFromJson(json: unknown): Batch {
  validateOnHost('uplinkBatch', json);
  return batchFromValue(fromJsonValue(json));
}

/** CBOR bytes, or a data-model value (a batch is a map, so a Uint8Array here is always CBOR). */
export function parseUplinkBatch(input: Uint8Array | Value): Batch {
  return input instanceof Uint8Array ? uplinkBatchFromCbor(input) : uplinkBatchFromValue(input);
}
