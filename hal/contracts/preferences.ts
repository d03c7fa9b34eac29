/**
 * A small store that survives a restart: a node's chain head, its last
 * applied command, its Wi-Fi credentials. Shaped after Moddable's
 * `preference` module (NVS on an ESP32): values live under a domain and a
 * key, both at most 15 characters (NVS's limit), and are booleans, integers,
 * strings or byte arrays. A write is durable when `set` returns.
 *
 * Backends: hal/moddable/moddable-preferences.ts (the device),
 * hal/linux/file-preferences.ts (a JSON file on Node, replaced atomically),
 * memoryPreferences below (the simulator keeps one per node outside the
 * firmware, so it survives a simulated power cycle).
 */
export type PreferenceValue = boolean | number | string | Uint8Array;

export interface Preferences {
  get(domain: string, key: string): PreferenceValue | undefined;
  set(domain: string, key: string, value: PreferenceValue): void;
  delete(domain: string, key: string): void;
  /** The keys set in a domain. */
  keys(domain: string): string[];
}

/** NVS's limit on namespace and key names. */
const PREFERENCE_NAME_MAX = 15;

export function checkPreferenceName(what: 'domain' | 'key', name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > PREFERENCE_NAME_MAX)
    throw new RangeError(
      `preference ${what} must be 1..${PREFERENCE_NAME_MAX} characters, got ${typeof name === 'string' ? JSON.stringify(name) : typeof name}`,
    );
}

export function checkPreferenceValue(value: unknown): asserts value is PreferenceValue {
  const ok =
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    value instanceof Uint8Array ||
    (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff);
  if (!ok) throw new TypeError('a preference value must be a boolean, a 32-bit integer, a string or a Uint8Array');
}

/** Preferences held in memory: the simulator's, and tests'. Values are copied in and out, as a real store would. */
export function memoryPreferences(): Preferences {
  const domains = new Map<string, Map<string, PreferenceValue>>();
  const copy = (v: PreferenceValue): PreferenceValue => (v instanceof Uint8Array ? v.slice() : v);
  return {
    get(domain, key) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      const v = domains.get(domain)?.get(key);
      return v === undefined ? undefined : copy(v);
    },
    set(domain, key, value) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      checkPreferenceValue(value);
      let d = domains.get(domain);
      if (!d) domains.set(domain, (d = new Map()));
      d.set(key, copy(value));
    },
    delete(domain, key) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      domains.get(domain)?.delete(key);
    },
    keys(domain) {
      checkPreferenceName('domain', domain);
      return [...(domains.get(domain)?.keys() ?? [])];
    },
  };
}
