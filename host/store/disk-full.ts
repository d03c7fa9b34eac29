import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './store-error.js';

/** With less free than this under the cartridge, a write SQLite could not make is taken for a full disk. */
const NEARLY_FULL_BYTES = 64 * 1024;

/** The bytes free to this user on the disk under `file`, or undefined if it cannot be read. */
function freeBytes(file: string): number | undefined {
  try {
    const fs = statfsSync(dirname(file));
    return fs.bavail * fs.bsize;
  } catch {
    return undefined;
  }
}

/**
 * `e`, an SQLite error on `file`, as a StoreError 'store-full' when a full disk caused it, else
 * undefined. SQLITE_FULL says so itself; an I/O error says so when the disk has no room left (a
 * cartridge opened on a full disk fails as SQLITE_IOERR_SHMSIZE: SQLite cannot size its -shm index).
 */
export function diskFullError(e: unknown, file: string, doing: string): StoreError | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR'))) return undefined;
  const free = freeBytes(file);
  if (code !== 'SQLITE_FULL' && (free === undefined || free >= NEARLY_FULL_BYTES)) return undefined;
  const left = free === undefined ? '' : ` (${free} bytes free)`;
  return new StoreError('store-full', `${doing} ${file}: the disk under it is full${left}. Free space on it and start again`, { cause: e });
}
