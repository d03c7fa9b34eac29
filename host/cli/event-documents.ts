import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { parseJson } from '../../firmware/codec/json-form.js';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import { isValueMap, type Value, type ValueMap } from '../../firmware/codec/value.js';
import { FaztError } from '../../hal/contracts/errors.js';

/**
 * What `fazt event verify` reads, as a data-model value: CBOR (binary or
 * hex), JSON, or JSON lines (one value per line).
 */
export function readDocument(bytes: Buffer): Value {
  const text = bytes.toString('utf8').trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    if (text.startsWith('{') && text.includes('\n{'))
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => parseJson(l));
    return parseJson(text);
  }
  if (/^[0-9a-fA-F\s]+$/.test(text)) return decodeCbor(fromHex(text));
  return decodeCbor(new Uint8Array(bytes));
}

/** An event as found in a document, with the board name `fazt sim run -o` puts beside it. */
export interface FoundEvent {
  event: ValueMap;
  name?: string;
}

/**
 * The events of a document that is not a batch: a list (JSON array or
 * lines) of events, one event, a page of `GET /v1/events` ({order, events,
 * next}; a descending page is put back in chain order), or the lines
 * `fazt sim run -o` writes (each event with the board's `node` name beside it).
 */
export function eventsOf(doc: Value): FoundEvent[] {
  let list: Value[];
  if (isValueMap(doc) && Array.isArray(doc.events)) {
    list = doc.order === 'desc' ? [...doc.events].reverse() : doc.events;
  } else list = Array.isArray(doc) ? doc : [doc];
  if (list.length === 0) throw new FaztError('malformed', 'the document holds no events');
  return list.map((v, i) => {
    if (!isValueMap(v)) throw new FaztError('malformed', `item ${i + 1} is not an event`);
    if (typeof v.node !== 'string') return { event: v };
    const { node, ...event } = v;
    return { event, name: node };
  });
}
