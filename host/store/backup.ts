import { openSqlite } from './sqlite.js';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { plainSystemError } from '../system-error.js';
import type { Db } from './open-cartridge.js';
import { StoreError } from './store-error.js';
import { UnsyncedCommits } from './unsynced-commits.js';

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

const exists = (file: string) => new StoreError('exists', `${file} exists; a backup never overwrites a file: choose another name or move it away first`);

/** The partial copy and the files SQLite keeps beside it. */
const leftovers = (partial: string) => [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`];

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Gives the checked copy its final name without ever replacing a file there:
 * a hard link fails on an existing name; a file system without hard links
 * (a FAT USB stick) gets a rename after the check instead.
 */
function publish(partial: string, file: string): void {
  try {
    linkSync(partial, file);
    rmSync(partial);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists(file);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    if (existsSync(file)) throw exists(file);
    renameSync(partial, file);
  }
  fsyncPath(dirname(file));
}

/**
 * An online backup through SQLite's backup API (better-sqlite3's db.backup),
 * never a raw copy of the live WAL file: it copies a consistent snapshot
 * while the hub keeps writing. The copy is written to `<file>.partial`,
 * turned into a one-file database (journal_mode=DELETE), integrity-checked,
 * counted and synced, and only then given its name: a backup cut short (a
 * kill -9, a power cut) is never found at the name of a good one. An
 * existing file is never overwritten. The source's commits up to the copy
 * are made durable before it is named (`durable`; by default one synced
 * commit, as a connection of its own cannot know what another left
 * unsynced): a copy must never hold what a power cut then takes from the
 * source (UnsyncedCommits).
 */
export async function backupCartridge(db: Db, file: string, durable: () => void = () => void new UnsyncedCommits(db).durable()): Promise<BackupResult> {
  if (existsSync(file)) throw exists(file);
  const partial = `${file}.partial`;
  // A partial copy left by a backup that was cut short was never a backup: it is started again.
  for (const f of leftovers(partial)) rmSync(f, { force: true });
  try {
    closeSync(openSync(partial, 'wx', 0o600));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `the folder ${dirname(file)} does not exist` : (plainSystemError(e) ?? (e as Error).message);
    throw new StoreError('io', `cannot create ${file}: ${why}`, { cause: e });
  }
  try {
    const meta = await db.backup(partial);
    const copy = openSqlite(partial, { fileMustExist: true });
    let result: BackupResult;
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StoreError('io', `the backup ${file} failed its integrity check: ${String(check)}`);
      const count = (table: string) => copy.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      const heads = Object.fromEntries(copy.prepare<[], [string, number]>('SELECT id, head_seq FROM nodes ORDER BY id').raw().all());
      result = { file, pages: meta.totalPages, nodes: count("nodes WHERE kind = 'node'"), events: count('entries'), heads };
    } finally {
      copy.close();
    }
    fsyncPath(partial);
    durable();
    publish(partial, file);
    return result;
  } finally {
    for (const f of leftovers(partial)) rmSync(f, { force: true });
  }
}
