import Database from 'better-sqlite3';
import { sqliteNativeBinding } from '../assets/native-addon.js';

/**
 * Every SQLite connection the host opens: better-sqlite3 with its native
 * addon, which inside the single executable is the copy extracted to the
 * cache (a connection opened any other way fails there).
 */
export function openSqlite(file: string, options: Omit<Database.Options, 'nativeBinding'> = {}): Database.Database {
  return new Database(file, { ...options, nativeBinding: sqliteNativeBinding() });
}
