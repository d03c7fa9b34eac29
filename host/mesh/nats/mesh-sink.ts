import type { MeshError } from '../mesh-error.js';

/**
 * What applying one page gave: stored (0 for what the hub already held), or
 * refused with the reason; `wait`: not refused yet, the page may store later
 * (its node's enrolment is still to come), so it is delivered again, bounded.
 */
export type ApplyResult = { ok: true; stored: number } | { ok: false; error: MeshError; wait?: boolean };

/**
 * Where the NATS consumer hands each page (a `fazt/bundle/v1` bundle) it
 * receives: the sink verifies it against what is stored and stores it, or
 * refuses it. `from` is the hub the message says published it (unverified:
 * the page's signatures are what count), `node` the chain its subject names.
 * Resolves only once the store has committed. Throws for a fault of its own
 * or a page ahead of the stored chain (the page is then redelivered).
 */
export interface MeshSink {
  apply(bundle: Uint8Array, from: string, node: string): Promise<ApplyResult>;
}
