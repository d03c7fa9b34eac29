import { MeshError } from '../mesh-error.js';
import type { MeshStore } from '../mesh-store.js';
import { PageAhead } from '../page-in.js';
import type { ApplyResult, MeshSink } from './mesh-sink.js';

/**
 * Pages from NATS stored exactly as the native protocol stores them: through
 * the mesh store's page-in (verified whole, then against the stored head, one
 * transaction; a fork kept with its proof, a forged page recorded as a
 * refusal, a paired hub's chain stored as kind 'peer' with its administration
 * applied). The page's origin hub is the peer; the broker is never trusted,
 * so a page whose origin is not a paired hub is refused 'unpaired'.
 */
export class MeshStoreSink implements MeshSink {
  constructor(private readonly mesh: MeshStore) {}

  async apply(bundle: Uint8Array, from: string, node: string): Promise<ApplyResult> {
    if (!this.mesh.peers.get(from))
      return { ok: false, error: new MeshError('unpaired', `page of ${node} from ${from}: not a paired hub (only paired hubs count, over NATS too)`) };
    try {
      return { ok: true, stored: this.mesh.pageIn(from, node, bundle, { waitAhead: true }).stored };
    } catch (e) {
      if (!(e instanceof MeshError) || e instanceof PageAhead) throw e;
      // A node not known yet may be enrolled on its hub's chain, whose page is still to come.
      return { ok: false, error: e, ...(e.code === 'unknown-node' ? { wait: true } : {}) };
    }
  }
}
