import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { Cartridge } from './cartridge.js';
import { StoreError } from './store-error.js';
import { verifyStoredChains } from './verify-stored-chains.js';

/** Seqs per chain whose hashes the start check recomputes (the newest ones). */
export const START_CHECK_RECENT = 256;

export interface CartridgeCheck {
  /** Chains checked, the nodes' and the hub's. */
  chains: number;
  /** Entries whose hash was recomputed. */
  entries: number;
  /** Checkpoints matched to their entry's hash. */
  checkpoints: number;
}

/** The first lines of quick_check's answer: enough to name the table and page without flooding a log. */
const SHOWN = 5;

/**
 * The check a hub makes before it runs on a cartridge: SQLite's
 * `PRAGMA quick_check` (every page's b-tree structure and record format:
 * a flipped page header or a torn page), then each chain's newest `recent`
 * entries rehashed against its stored head and its checkpoints
 * (verifyStoredChains with `recent`: a flipped byte inside a record, which
 * quick_check cannot see, since SQLite keeps no checksum of a row's values).
 * Throws StoreError 'damaged' naming what is damaged. Its cost is one read
 * of the file (quick_check) plus `recent` hashes a chain.
 */
export function checkCartridge(cartridge: Cartridge, crypto: CryptoProvider, options: { recent?: number } = {}): CartridgeCheck {
  const recent = options.recent ?? START_CHECK_RECENT;
  const found: string[] = [];
  try {
    for (const line of cartridge.db.prepare<[], string>(`PRAGMA quick_check(${SHOWN})`).pluck().iterate())
      found.push(...line.split('\n').filter((l) => l !== 'ok' && !l.startsWith('*** in database')));
  } catch (e) {
    // SQLite may give up mid-answer on a page it cannot parse: what it said so far names the damage.
    if (!found.length) throw e;
    found.push((e as Error).message);
  }
  if (found.length) throw new StoreError('damaged', `SQLite's quick_check finds damage${inTables(cartridge, found)}: ${found.join('; ')}`);
  const heads = verifyStoredChains(cartridge, crypto, { recent });
  return {
    chains: heads.length,
    entries: heads.reduce((n, h) => n + h.events, 0),
    checkpoints: heads.reduce((n, h) => n + (h.checkpoints ?? 0), 0),
  };
}

/** The tables and indexes quick_check's "Tree N" lines name, by their root page (when the schema itself still reads). */
function inTables(cartridge: Cartridge, lines: string[]): string {
  const roots = [...new Set(lines.flatMap((l) => [...l.matchAll(/Tree (\d+)/g)].map((m) => Number(m[1]))))];
  try {
    const named = cartridge.db.prepare<[number], string>('SELECT name FROM sqlite_schema WHERE rootpage = ?').pluck();
    const names = roots.map((r) => named.get(r)).filter((n): n is string => n !== undefined);
    return names.length ? ` in ${names.join(', ')}` : '';
  } catch {
    return '';
  }
}
