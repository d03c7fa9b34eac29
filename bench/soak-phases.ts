/**
 * Part of bench/soak-probe (bench only, loaded into the hub): where the hub's
 * main thread spends the start's storm, second by second from the first
 * uplink. It times, without touching the hub's code, what a node's first
 * batch may cost beyond a later one: connections accepted, the requests on a
 * new connection, every top-level SQLite transaction (each a durable commit)
 * by the function it runs, Ed25519 verifications and signatures, and the
 * public-key objects built (node:crypto's key cache missing); beside the
 * event loop's busy share. node:crypto's functions are wrapped and synced
 * into the ESM bindings the bundled hub imported (syncBuiltinESMExports);
 * better-sqlite3's Database.prototype.transaction is wrapped before the hub
 * prepares its transactions.
 */
import { subscribe } from 'node:diagnostics_channel';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One second of the hub's time: counts and milliseconds. */
export interface PhaseSecond {
  accepted: number;
  uplinks: number;
  /** Uplinks that were the first request on their connection. */
  fresh: number;
  commits: Record<string, { count: number; ms: number }>;
  verify: { count: number; ms: number };
  sign: { count: number; ms: number };
  keyObjects: { count: number; ms: number };
  /** The event loop's busy share of the second (eventLoopUtilization's active time, looked at every 100 ms). */
  busy: number;
}

const SECONDS = 90;
const require = createRequire(import.meta.url);
let t0: number | undefined;
const seconds: PhaseSecond[] = [];
const at = (): PhaseSecond | undefined => {
  if (t0 === undefined) return undefined;
  const i = Math.floor((performance.now() - t0) / 1000);
  if (i >= SECONDS) return undefined;
  while (seconds.length <= i)
    seconds.push({
      accepted: 0,
      uplinks: 0,
      fresh: 0,
      commits: {},
      verify: { count: 0, ms: 0 },
      sign: { count: 0, ms: 0 },
      keyObjects: { count: 0, ms: 0 },
      busy: 0,
    });
  return seconds[i];
};

/** The uplink's socket had no request before: its first. */
const used = new WeakSet<Socket>();
export function uplinkStarted(socket: Socket): boolean {
  t0 ??= performance.now();
  const fresh = !used.has(socket);
  used.add(socket);
  const s = at();
  if (s) {
    s.uplinks++;
    if (fresh) s.fresh++;
  }
  return fresh;
}
subscribe('net.server.socket', () => {
  const s = at();
  if (s) s.accepted++;
});

function timed<F extends (...args: never[]) => unknown>(f: F, into: (s: PhaseSecond) => { count: number; ms: number }): F {
  return function (this: unknown, ...args: Parameters<F>) {
    const start = performance.now();
    try {
      return f.apply(this, args);
    } finally {
      const s = at();
      if (s) {
        const c = into(s);
        c.count++;
        c.ms += performance.now() - start;
      }
    }
  } as F;
}

const crypto = require('node:crypto') as typeof import('node:crypto');
crypto.verify = timed(crypto.verify, (s) => s.verify);
crypto.sign = timed(crypto.sign, (s) => s.sign);
crypto.createPublicKey = timed(crypto.createPublicKey, (s) => s.keyObjects);
syncBuiltinESMExports();

// A transaction's label: the first words of the function it runs (the hub's code is bundled, so no names survive otherwise).
type Run = (...a: unknown[]) => unknown;
type Tx = Run & Record<'default' | 'deferred' | 'immediate' | 'exclusive', Run> & { database: unknown };
const Database = require('better-sqlite3') as { prototype: { transaction(fn: Run): Tx; inTransaction: boolean } };
const transaction = Database.prototype.transaction;
Database.prototype.transaction = function (this: { inTransaction: boolean }, fn) {
  const tx = transaction.call(this, fn);
  const label = fn.toString().replace(/\s+/g, ' ').slice(0, 60);
  const db = this;
  // better-sqlite3 defines its variants read-only: a new function carries the timed ones.
  const wrap = (run: Run): Run =>
    function (this: unknown, ...args: unknown[]) {
      if (db.inTransaction) return run.apply(this, args); // a savepoint inside a commit already timed
      return timed(run, (s) => (s.commits[label] ??= { count: 0, ms: 0 })).apply(this, args);
    };
  const out = wrap(tx.default) as Tx;
  Object.defineProperties(out, {
    default: { value: out },
    deferred: { value: wrap(tx.deferred) },
    immediate: { value: wrap(tx.immediate) },
    exclusive: { value: wrap(tx.exclusive) },
    database: { value: tx.database, enumerable: true },
  });
  return out;
};

// The loop's busy time since the last look, counted in the second of the look (a look held up by a long turn counts it late).
let elu = performance.eventLoopUtilization();
setInterval(() => {
  const now = performance.eventLoopUtilization();
  const s = at();
  if (s) s.busy += performance.eventLoopUtilization(now, elu).active / 1000;
  elu = now;
}, 100).unref();

export const phaseSeconds = (): PhaseSecond[] => seconds;
