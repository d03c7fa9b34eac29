import { openSqlite } from './sqlite.js';
import { closeSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { plainSystemError } from '../system-error.js';
import type { Db } from './open-cartridge.js';
import { StoreError } from './store-error.js';

export interface BackupResult {
  file: string;
  /** Pages copied: the size of the backup in database pages. */
  pages: number;
  /** Row counts of the copy, read back from it. */
  nodes: number;
  events: number;
  /** Each chain's head seq in the copy, by node id (the hub's own chain too). */
  heads: Record<string, number>;
}

/**
 * An online backup through SQLite's backup API (better-sqlite3's db.backup),
 * never a raw copy of the live WAL file: it copies a consistent snapshot
 * while the hub keeps writing. The target is created exclusively, so an
 * existing file is never overwritten. The copy is turned into a one-file
 * database (journal_mode=DELETE), integrity-checked and counted.
 */
export async function backupCartridge(db: Db, file: string): Promise<BackupResult> {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new StoreError('exists', `${file} exists; a backup never overwrites a file: choose another name or move it away first`);
    const why = code === 'ENOENT' ? `the folder ${dirname(file)} does not exist` : (plainSystemError(e) ?? (e as Error).message);
    throw new StoreError('io', `cannot create ${file}: ${why}`, { cause: e });
  }
  try {
    const meta = await db.backup(file);
    const copy = openSqlite(file, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StoreError('io', `the backup ${file} failed its integrity check: ${String(check)}`);
      const count = (table: string) => copy.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      const heads = Object.fromEntries(copy.prepare<[], [string, number]>('SELECT id, head_seq FROM nodes ORDER BY id').raw().all());
      return { file, pages: meta.totalPages, nodes: count("nodes WHERE kind = 'node'"), events: count('entries'), heads };
    } finally {
      copy.close();
    }
  } catch (e) {
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    throw e;
  }
}
