import type { Db } from './open-cartridge.js';

/** PRAGMA synchronous values (sqlite.org/pragma.html#pragma_synchronous). */
const NORMAL = 1;

/**
 * Runs fn with the connection's commits unsynced (synchronous=NORMAL): in
 * WAL mode each commit is written to the WAL but not fsynced. Only for what
 * can be derived again from the stored log: the next synced commit (every
 * node batch, every effect, synchronous=FULL) fsyncs the WAL and with it
 * these frames, and a power loss before that loses only frames after the
 * last sync, which WAL checksums cut off cleanly (a kill -9 loses nothing:
 * the frames are in the OS's cache). Inside a transaction fn runs as it is:
 * the outer commit is the one that syncs or not. The setting is restored
 * even if fn throws.
 */
export function runUnsynced<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return fn();
  const before = db.pragma('synchronous', { simple: true }) as number;
  if (before <= NORMAL) return fn();
  db.pragma(`synchronous = ${NORMAL}`);
  try {
    return fn();
  } finally {
    if (db.open) db.pragma(`synchronous = ${before}`);
  }
}
