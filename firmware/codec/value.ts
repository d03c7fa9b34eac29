/**
 * The data model shared by the JSON and CBOR forms: JSON's values plus byte
 * strings. Maps have text keys only, so every value has both forms.
 */
export type Value = null | boolean | number | string | Uint8Array | Value[] | ValueMap;
export interface ValueMap {
  [key: string]: Value;
}

export function isValueMap(v: unknown): v is ValueMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Sets a key on a plain object without tripping the `__proto__` setter. */
export function setKey(target: ValueMap, key: string, value: Value): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
