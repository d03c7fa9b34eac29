import { encodeCbor } from '../codec/cbor-encode.js';
import { isValueMap, type Value, type ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { EventEntry } from '../event/envelope.js';

/**
 * The dictionary of the compact batch form (firmware/batch/compact-batch.ts):
 * what a node's entries repeat — their type, component, and for readings the
 * reading's name and unit — declared once and referenced by index. An item
 * with a name stands for reading-shaped data ({name, unit?, value, quality,
 * time, flags?}, schemas/reading.schema.json) whose name and unit are the
 * item's; an item without one carries the entry's data whole.
 */
export type DictionaryItem =
  | [type: string, component: string]
  | [type: string, component: string, name: string]
  | [type: string, component: string, name: string, unit: string];

/** Bytes of SHA-256 that name a dictionary: a node has a handful, and a wrong one fails the chain anyway. */
export const DICTIONARY_HASH_BYTES = 8;
/** Most items one dictionary holds (indexes stay one or two bytes). */
export const MAX_DICTIONARY_ITEMS = 256;

export interface CompactDictionary {
  items: DictionaryItem[];
  /** The first DICTIONARY_HASH_BYTES of SHA-256 over the items' deterministic CBOR. */
  hash: Uint8Array;
}

export const QUALITIES = ['good', 'uncertain', 'bad'] as const;
const READING_KEYS: Record<string, true> = { name: true, unit: true, value: true, quality: true, time: true, flags: true };

export function dictionaryOf(items: DictionaryItem[], crypto: CryptoProvider): CompactDictionary {
  return { items, hash: crypto.sha256(encodeCbor(items)).slice(0, DICTIONARY_HASH_BYTES) };
}

/** The entry's component: its source after the node id. */
function componentOf(source: string): string {
  const slash = source.indexOf('/');
  return slash < 0 ? '' : source.slice(slash + 1);
}

/**
 * Whether the compact form can carry this data as a reading (value, quality
 * and the rest from the item): exactly the reading shape, each field of the
 * type the form rebuilds. Anything else travels whole.
 */
export function isReadingShaped(data: Value): data is ValueMap {
  if (!isValueMap(data)) return false;
  for (const k of Object.keys(data)) if (!READING_KEYS[k]) return false;
  const v = data.value;
  if (typeof data.name !== 'string' || (data.unit !== undefined && typeof data.unit !== 'string')) return false;
  if (!(typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')) return false;
  if (QUALITIES.indexOf(data.quality as (typeof QUALITIES)[number]) < 0) return false;
  if (!Number.isSafeInteger(data.time)) return false;
  const f = data.flags;
  if (f !== undefined && !(Array.isArray(f) && f.every((x) => typeof x === 'string'))) return false;
  return true;
}

/** The item an entry is written against. */
export function itemOf(e: EventEntry): DictionaryItem {
  const component = componentOf(e.source);
  if (!isReadingShaped(e.data)) return [e.type, component];
  const { name, unit } = e.data as { name: string; unit?: string };
  return unit === undefined ? [e.type, component, name] : [e.type, component, name, unit];
}

/** A key equal exactly for equal items. */
export function itemKey(item: DictionaryItem): string {
  return JSON.stringify(item);
}
