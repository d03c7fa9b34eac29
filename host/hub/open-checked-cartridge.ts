import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { Cartridge, type CartridgeOptions } from '../store/cartridge.js';
import { type CartridgeCheck, checkCartridge } from '../store/check-cartridge.js';
import { StoreError } from '../store/store-error.js';

/** SQLite's words for a file whose pages are not what it wrote (better-sqlite3's error codes). */
const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

function isCorrupt(e: unknown): boolean {
  for (let x: unknown = e; x; x = (x as { cause?: unknown }).cause) if (CORRUPT.test(String((x as { code?: unknown }).code))) return true;
  return false;
}

/** The backups in `dir` newest first (the schedule's names sort as their times). */
function backupsIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^fazt-.*\.db$/.test(f))
      .sort()
      .reverse();
  } catch {
    return [];
  }
}

/** What the owner reads when the hub refuses: what is damaged, then the recovery, copy-paste. */
function refusal(file: string, what: string, backupDir: string, cause: unknown): StoreError {
  const dataDir = dirname(file);
  const newest = backupsIn(backupDir);
  const from = newest.length ? join(backupDir, newest[0]) : '<your last backup>.db';
  const lines = [
    `the cartridge ${file} is damaged: ${what}`,
    'The hub does not run on a damaged cartridge. Recover from the last good backup:',
    `  fazt restore ${from} --data ${dataDir}`,
    newest.length > 1
      ? `fazt restore checks the backup whole and refuses a damaged one: then try the next older in ${backupDir} (${newest.slice(1, 4).join(', ')}${newest.length > 4 ? ', …' : ''}).`
      : `fazt restore checks the backup whole and refuses a damaged one${newest.length ? '' : ` (no scheduled backup in ${backupDir})`}.`,
    `The damaged cartridge stays beside as ${basename(file)}.before-restore-<time>; what was stored after the backup is lost (README "A damaged cartridge").`,
  ];
  return new StoreError('damaged', lines.join('\n'), { cause });
}

/**
 * Opens the hub's cartridge and checks it (host/store/check-cartridge.ts)
 * before anything runs on it. Damage, whether SQLite finds it while opening
 * or the check does, closes the cartridge and throws StoreError 'damaged'
 * whose message names it and says how to restore.
 */
export function openCheckedCartridge(
  file: string,
  options: CartridgeOptions & { crypto: CryptoProvider; recent?: number; backupDir: string },
): { cartridge: Cartridge; check: CartridgeCheck } {
  let cartridge: Cartridge;
  try {
    cartridge = Cartridge.open(file, options);
  } catch (e) {
    if (isCorrupt(e)) throw refusal(file, `SQLite cannot read it: ${(e as Error).message}`, options.backupDir, e);
    throw e;
  }
  try {
    return { cartridge, check: checkCartridge(cartridge, options.crypto, { recent: options.recent }) };
  } catch (e) {
    cartridge.close();
    if (isCorrupt(e) || (e instanceof StoreError && e.code === 'damaged')) throw refusal(file, (e as Error).message, options.backupDir, e);
    throw e;
  }
}
