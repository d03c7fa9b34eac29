import { toJsonValue, type JsonValue } from '../codec/json-form.js';
import { toBase64url } from '../codec/text-encodings.js';
import type { EventEntry } from './envelope.js';

/**
 * CloudEvents 1.0 structured mode (JSON event format, §3 of the spec's
 * json-format.md). `source` stays our "<node>/<component>" (a URI-reference);
 * seq travels as the `sequence` extension (a string, per the sequence
 * extension) and the chain link as the `prev` extension in base64url.
 */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  datacontenttype: 'application/json';
  sequence: string;
  prev: string;
  data: JsonValue;
}

export function toCloudEvent(e: EventEntry): CloudEvent {
  return {
    specversion: '1.0',
    id: e.id,
    source: e.source,
    type: e.type,
    time: new Date(e.time).toISOString(),
    datacontenttype: 'application/json',
    sequence: String(e.seq),
    prev: toBase64url(e.prev),
    data: toJsonValue(e.data),
  };
}
