import { checkPreferenceName, checkPreferenceValue, type PreferenceValue, type Preferences } from '../contracts/preferences.js';

/** The shape of Moddable's `preference` module (preference.d.ts); passed in so this mapping runs on Node too. */
export interface ModdablePreferenceModule {
  get(domain: string, key: string): boolean | number | string | ArrayBuffer | undefined;
  set(domain: string, key: string, value: boolean | number | string | ArrayBuffer): void;
  delete(domain: string, key: string): void;
  keys(domain: string): string[];
}

/**
 * Preferences on a Moddable device. Moddable stores byte values as
 * ArrayBuffers: they are copied to and from Uint8Arrays here so the
 * firmware sees one type everywhere.
 */
export function moddablePreferences(p: ModdablePreferenceModule): Preferences {
  return {
    get(domain, key) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      const v = p.get(domain, key);
      return v instanceof ArrayBuffer ? new Uint8Array(v.slice(0)) : (v as PreferenceValue | undefined);
    },
    set(domain, key, value) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      checkPreferenceValue(value);
      p.set(domain, key, value instanceof Uint8Array ? value.slice().buffer : value);
    },
    delete(domain, key) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      p.delete(domain, key);
    },
    keys(domain) {
      checkPreferenceName('domain', domain);
      return p.keys(domain);
    },
  };
}
