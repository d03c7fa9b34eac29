import type { DecodedCompact } from '../../firmware/batch/compact-batch.js';
import { fromJsonValue } from '../../firmware/codec/json-form.js';
import { CodecError } from '../../firmware/errors.js';
import { type CompactContext, uplinkBatchFromJson, uplinkFromCbor, uplinkFromValue } from '../store/parse-batch.js';
import { HttpError } from './http-error.js';
import { msgpackToValue } from './msgpack-value.js';

/** The uplink's media types; application/x-msgpack is accepted as an alias. */
export const UPLINK_TYPES = ['application/cbor', 'application/json', 'application/msgpack', 'application/x-msgpack'] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON text with the UTF-8 checked (a lossy decode would change what was signed) and parse errors as CodecError. */
export function parseJsonBody(body: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new CodecError('invalid-utf8', 'the JSON body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CodecError('malformed-json', `malformed JSON: ${(e as Error).message}`);
  }
}

/**
 * One uplink batch from a request body in any of the three media types, full
 * or compact (an array: README "The compact form"), validated against the
 * uplink-batch schema. Throws HttpError 415, CodecError, SchemaError or
 * VerifyError ('malformed', 'unknown-dictionary' for a compact batch).
 */
export function decodeUplink(mediaType: string, body: Uint8Array, compact: CompactContext): DecodedCompact {
  switch (mediaType) {
    case 'application/cbor':
      return uplinkFromCbor(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), compact);
    case 'application/json': {
      const json = parseJsonBody(body);
      return Array.isArray(json) ? uplinkFromValue(fromJsonValue(json), compact) : { batch: uplinkBatchFromJson(json) };
    }
    case 'application/msgpack':
    case 'application/x-msgpack':
      return uplinkFromValue(msgpackToValue(body), compact);
    default:
      throw new HttpError(415, 'unsupported-media-type', `send the batch as ${UPLINK_TYPES.slice(0, 3).join(', ')} (got ${mediaType || 'no content type'})`);
  }
}
