import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { checkPreferenceName, checkPreferenceValue, type PreferenceValue, type Preferences } from '../contracts/preferences.js';

type Stored = boolean | number | string | { bytes: string };

/**
 * Preferences in a JSON file, for a node on Node (a Pi running the firmware,
 * `fazt sim node --state`). Each set writes a temporary file, fsyncs it and
 * renames it over the old one, so a power cut leaves the old file or the
 * new one, never half of either. Bytes are kept as hex.
 */
export function filePreferences(file: string): Preferences {
  let data: Record<string, Record<string, Stored>> = {};
  if (existsSync(file)) {
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as typeof data;
    } catch (e) {
      throw new Error(`preferences file ${file} is not JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const save = (): void => {
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  };
  const decode = (v: Stored): PreferenceValue => (typeof v === 'object' ? Uint8Array.from(Buffer.from(v.bytes, 'hex')) : v);
  return {
    get(domain, key) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      const v = data[domain]?.[key];
      return v === undefined ? undefined : decode(v);
    },
    set(domain, key, value) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      checkPreferenceValue(value);
      data[domain] ??= {};
      data[domain][key] = value instanceof Uint8Array ? { bytes: Buffer.from(value).toString('hex') } : value;
      save();
    },
    delete(domain, key) {
      checkPreferenceName('domain', domain);
      checkPreferenceName('key', key);
      if (data[domain] && key in data[domain]) {
        delete data[domain][key];
        save();
      }
    },
    keys(domain) {
      checkPreferenceName('domain', domain);
      return Object.keys(data[domain] ?? {});
    },
  };
}
