import { openSqlite } from './sqlite.js';
import type Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { Cartridge } from './cartridge.js';
import { CARTRIDGE_APPLICATION_ID } from './open-cartridge.js';
import { StoreError } from './store-error.js';
import { type VerifiedHead, verifyStoredChains } from './verify-stored-chains.js';

export interface RestoreResult {
  /** The cartridge restored (the target). */
  file: string;
  from: string;
  /** The hub the cartridge is (undefined: it predates the key in the cartridge and never signed anything). */
  hubId: string | undefined;
  /** Whether the cartridge holds the hub's key itself (false: a backup from before migration step 10). */
  keyInCartridge: boolean;
  nodes: number;
  events: number;
  /** Every chain, verified up to its head. */
  heads: VerifiedHead[];
  /** Where the cartridge it replaced was kept, if there was one. */
  replaced?: string;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code));
const isUnreadable = (e: unknown) => /^SQLITE_(CORRUPT|NOTADB)/.test(String((e as { code?: unknown }).code));

/** The caller's own last word on a checked copy (the hub folder's files must agree with it); throws to refuse. */
export type Accept = (copy: Cartridge, checked: Omit<RestoreResult, 'file' | 'from' | 'replaced'>) => void;

/** The checks a copy passes before it may become the cartridge: SQLite's own, ours, every chain's. */
function check(tmp: string, source: string, crypto: CryptoProvider, accept?: Accept): Omit<RestoreResult, 'file' | 'from' | 'replaced'> {
  const raw = openSqlite(tmp, { fileMustExist: true });
  try {
    const integrity = raw.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new StoreError('damaged', `${source} fails SQLite's integrity check: ${String(integrity)}`);
    const app = raw.pragma('application_id', { simple: true }) as number;
    if (app !== CARTRIDGE_APPLICATION_ID)
      throw new StoreError('not-a-cartridge', `${source} is an SQLite database but not a fazt cartridge (application_id ${app})`);
  } finally {
    raw.close();
  }
  // Opening migrates the copy as the hub would at start, and refuses one from a newer fazt.
  const c = Cartridge.open(tmp, { crypto });
  try {
    const heads = verifyStoredChains(c, crypto);
    const key = c.hubIdentity.key();
    const result = {
      hubId: key?.id ?? heads.find((h) => h.kind === 'hub')?.node,
      keyInCartridge: key !== undefined,
      nodes: heads.filter((h) => h.kind === 'node').length,
      events: heads.reduce((n, h) => n + h.events, 0),
      heads,
    };
    accept?.(c, result);
    c.db.pragma('journal_mode = DELETE'); // one self-contained file, no WAL beside it
    return result;
  } finally {
    c.close();
  }
}

/**
 * Holds `target` exclusively, refusing when anyone else has it open (a
 * running hub holds its cartridge for as long as it runs; SQLite's own
 * locks say so), and folds its WAL into it. Returns the connection holding
 * the lock, undefined when there is no target yet, or 'unreadable' for a
 * target SQLite cannot read (a destroyed header): no hub runs on that one
 * (the start check refuses it), so it is replaced without the lock.
 */
function lockTarget(target: string): Database.Database | 'unreadable' | undefined {
  if (!existsSync(target)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = openSqlite(target, { fileMustExist: true, timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = DELETE'); // needs every other connection gone
    db.exec('BEGIN EXCLUSIVE; COMMIT'); // and keeps them out until close
    return db;
  } catch (e) {
    db?.close();
    if (isUnreadable(e)) return 'unreadable';
    if (isBusy(e)) throw new StoreError('live', `${target} is open in a running hub (or another fazt): stop it first; a live cartridge is never replaced`);
    throw new StoreError('io', `cannot take ${target} to replace it: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Makes the backup `source` the cartridge at `target`: copied beside the
 * target with SQLite's backup API (a consistent copy even of a live WAL
 * file), checked (integrity_check, a fazt cartridge, no migration step this
 * fazt does not know, every chain verified up to its head), migrated, synced,
 * then renamed over the target in one step while holding it. The cartridge it
 * replaces stays beside as `<target>.before-restore-<time>`. Nothing changes
 * when a check (or `accept`) fails.
 */
export async function restoreCartridge(
  source: string,
  target: string,
  options: { crypto: CryptoProvider; accept?: Accept; now?: Date },
): Promise<RestoreResult> {
  const { crypto, accept, now = new Date() } = options;
  if (!existsSync(source)) throw new StoreError('io', `${source} does not exist`);
  const tmp = join(dirname(target), `.${basename(target)}.restore-${process.pid}.tmp`);
  try {
    closeSync(openSync(tmp, 'w', 0o600));
    let src: Database.Database;
    try {
      src = openSqlite(source, { readonly: true, fileMustExist: true });
      src.pragma('schema_version'); // reads the header: a file that is not SQLite fails here
    } catch (e) {
      throw new StoreError('not-a-cartridge', `${source} is not an SQLite database, so not a fazt cartridge: ${(e as Error).message}`, { cause: e });
    }
    try {
      await src.backup(tmp);
    } finally {
      src.close();
    }
    const checked = check(tmp, source, crypto, accept);
    rmSync(`${tmp}-wal`, { force: true });
    rmSync(`${tmp}-shm`, { force: true });
    fsyncPath(tmp);
    const held = lockTarget(target);
    let replaced: string | undefined;
    try {
      if (held) {
        replaced = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
        linkSync(target, replaced);
        // An unreadable cartridge's WAL was not folded into it: kept beside it, for whoever salvages it.
        if (held === 'unreadable' && existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${replaced}-wal`);
      }
      for (const f of [`${target}-wal`, `${target}-shm`, `${target}-journal`]) rmSync(f, { force: true });
      renameSync(tmp, target);
      fsyncPath(dirname(target));
    } finally {
      if (held !== 'unreadable') held?.close();
    }
    return { file: target, from: source, ...checked, ...(replaced ? { replaced } : {}) };
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  }
}
