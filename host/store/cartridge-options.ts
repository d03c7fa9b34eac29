import { randomBytes } from 'node:crypto';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import type { SyncFd } from './wal-sync.js';

export interface CartridgeOptions {
  crypto?: CryptoProvider;
  /** Milliseconds since the epoch: received_at, enrolment and invite times (injected in tests). */
  clock?: () => number;
  entropy?: (n: number) => Uint8Array;
  /** Where a post-commit listener's error is reported (default: a JSON line on stderr). */
  onListenerError?: (error: unknown) => void;
  /** Test seam: how the WAL file is synced off the event loop (default fdatasync in libuv's threadpool; host/store/wal-sync.ts). */
  syncWal?: SyncFd;
}

/** The options with their defaults: Node's crypto, the wall clock, Node's random bytes, errors as JSON lines on stderr. */
export function cartridgeDefaults(o: CartridgeOptions): Required<Omit<CartridgeOptions, 'syncWal'>> {
  return {
    crypto: o.crypto ?? nodeCrypto,
    clock: o.clock ?? Date.now,
    entropy: o.entropy ?? ((n) => new Uint8Array(randomBytes(n))),
    onListenerError:
      o.onListenerError ??
      ((e) => process.stderr.write(JSON.stringify({ level: 'error', code: 'stored-listener', message: (e as Error)?.message ?? String(e) }) + '\n')),
  };
}
