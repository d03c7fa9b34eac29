import { openSqlite } from './sqlite.js';
import type Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { diskFullError } from './disk-full.js';
import { MIGRATIONS, type MigrationStep } from './migrations.js';
import { StoreError } from './store-error.js';

export type Db = Database.Database;

/** PRAGMA application_id of a cartridge: "FAZT" in ASCII. */
export const CARTRIDGE_APPLICATION_ID = 0x46415a54;

export interface OpenOptions {
  /** Open as is: no migration, nothing created (a backup only reads). */
  migrate?: boolean;
  /** Milliseconds to wait for another connection's write lock (default 5000). */
  busyTimeoutMs?: number;
  /** Test seam: the steps to apply (default MIGRATIONS). */
  steps?: readonly MigrationStep[];
}

/**
 * Opens the cartridge: one SQLite file in WAL mode with synchronous=FULL, so
 * a committed transaction (an acknowledged batch) is on disk before the call
 * returns and survives kill -9 and power loss. Brings the schema up to date
 * unless `migrate` is false.
 */
export function openCartridge(file: string, options: OpenOptions = {}): Db {
  const migrate = options.migrate !== false;
  let db: Db;
  if (migrate && file !== ':memory:' && file !== '') createPrivate(file);
  try {
    db = openSqlite(file, { fileMustExist: !migrate, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (e) {
    throw new StoreError('io', `cannot open cartridge ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const app = db.pragma('application_id', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
    if (app !== CARTRIDGE_APPLICATION_ID && (app !== 0 || tables > 0)) {
      throw new StoreError('not-a-cartridge', `${file} is an SQLite database but not a fazt cartridge (application_id ${app})`);
    }
    if (migrate) migrateCartridge(db, options.steps ?? MIGRATIONS);
    return db;
  } catch (e) {
    db.close();
    throw diskFullError(e, file, 'cannot open cartridge') ?? e;
  }
}

/**
 * A new cartridge is created with mode 0600 before SQLite opens it (SQLite
 * gives its -wal and -shm files the database's mode): it holds the hub's
 * secret key. An existing file keeps its mode.
 */
function createPrivate(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch {
    // It exists, or the folder does not: SQLite's open says which, in its own words.
  }
}

/**
 * Applies the steps not yet recorded in `migrations`, in order, each checked
 * again inside its write transaction (a second process may be migrating
 * too); refuses a cartridge with a step this fazt does not know (a newer
 * fazt's). A step is applied by whether it is recorded, not by the highest
 * recorded: steps written on parallel branches may land out of order.
 */
function migrateCartridge(db: Db, steps: readonly MigrationStep[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (step INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT');
  if ((db.pragma('application_id', { simple: true }) as number) === 0) db.pragma(`application_id = ${CARTRIDGE_APPLICATION_ID}`);
  const applied = db.prepare<[number], number>('SELECT 1 FROM migrations WHERE step = ?').pluck();
  const record = db.prepare('INSERT INTO migrations (step, name, applied_at) VALUES (?, ?, ?)');
  const known = new Set(steps.map((s) => s.step));
  const recorded = db.prepare('SELECT step FROM migrations ORDER BY step').pluck().all() as number[];
  const unknown = recorded.filter((s) => !known.has(s));
  if (unknown.length)
    throw new StoreError(
      'cartridge-newer',
      `the cartridge has migration step ${unknown.join(', ')}; this fazt knows steps ${[...known].join(', ') || 'none'} (a newer fazt wrote it)`,
    );
  for (const s of steps) {
    if (applied.get(s.step) !== undefined) continue;
    db.transaction(() => {
      if (applied.get(s.step) !== undefined) return;
      db.exec(s.sql);
      s.run?.(db);
      record.run(s.step, s.name, Date.now());
    }).immediate();
  }
}
