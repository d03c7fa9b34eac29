import { toJsonValue, type JsonValue } from '../codec/json-form.js';
import { toBase64url } from '../codec/text-encodings.js';
import type { EventClock, EventEntry } from './envelope.js';

/**
 * CloudEvents 1.0 structured mode (JSON event format, §3 of the spec's
 * json-format.md). `source` stays our "<node>/<component>" (a URI-reference);
 * seq travels as the `sequence` extension (a string, per the sequence
 * extension) and the chain link as the `prev` extension in base64url.
 * The clock that stamped `time`, when the event names one, travels as the
 * `faztclock` extension (lower-case letters, ≤ 20 characters: §3.1.1 of the
 * spec's naming rules for extension attributes).
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
  faztclock?: EventClock;
  data: JsonValue;
}

export function toCloudEvent(e: EventEntry): CloudEvent {
  const head = {
    specversion: '1.0',
    id: e.id,
    source: e.source,
    type: e.type,
    time: new Date(e.time).toISOString(),
    datacontenttype: 'application/json',
    sequence: String(e.seq),
    prev: toBase64url(e.prev),
  } as const;
  const data = toJsonValue(e.data);
  return e.clock === undefined ? { ...head, data } : { ...head, faztclock: e.clock, data };
}
