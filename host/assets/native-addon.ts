import { getAsset, isSea } from 'node:sea';
import { basename } from 'node:path';
import { extractFile } from './asset-cache.js';

/** Where scripts/package.ts embeds better-sqlite3's addon. */
export const SQLITE_ADDON_KEY = 'addons/better_sqlite3.node';

let sqlitePath: string | undefined;

/**
 * better-sqlite3's `nativeBinding` option: inside the single executable the
 * embedded addon, extracted to the private cache under its hash (checked on
 * every start, see asset-cache.ts); undefined elsewhere, where better-sqlite3
 * finds its own. better-sqlite3 loads the path with __non_webpack_require__,
 * which the executable's bundle defines (scripts/sea-bundle.ts): the
 * executable's own require() loads built-in modules only.
 */
export function sqliteNativeBinding(): string | undefined {
  if (!isSea()) return undefined;
  sqlitePath ??= extractFile(basename(SQLITE_ADDON_KEY), new Uint8Array(getAsset(SQLITE_ADDON_KEY)));
  return sqlitePath;
}
