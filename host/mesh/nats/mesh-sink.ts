import type { MeshError } from '../mesh-error.js';

/** What applying one page gave: stored (0 for what the hub already held) or refused with the reason. */
export type ApplyResult = { ok: true; stored: number } | { ok: false; error: MeshError };

/**
 * Where the NATS consumer hands each page (a `fazt/bundle/v1` bundle) it
 * receives: the sink verifies it against what is stored and stores it, or
 * refuses it. `from` is the hub the message says published it (unverified:
 * the page's signatures are what count). Resolves only once the store has
 * committed. Throws for a fault of its own (the page is then redelivered).
 */
export interface MeshSink {
  apply(bundle: Uint8Array, from: string): Promise<ApplyResult>;
}
