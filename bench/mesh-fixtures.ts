/**
 * Fixtures for bench/mesh: simulated nodes' readings, signed in batches of
 * 32 as the nodes uplink them, stored into a hub's cartridge the way the
 * uplink stores them (Cartridge.ingestBatch: verified, checkpointed).
 */
import { createBatch } from '../firmware/batch/batch.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import type { Hub } from '../host/hub/hub.js';
import { pageLast } from '../host/mesh/page-last.js';

/** Entries per uplink batch (a node's default batch size). */
export const BATCH = 32;

/** A simulated node: a fixed key (seed byte) and its hash-chained log, appended to in signed batches. */
export class BenchNode {
  readonly identity: NodeIdentity;
  private readonly log: EventLog;
  private t = Date.UTC(2026, 0, 1);

  constructor(seed: number) {
    this.identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
    this.log = new EventLog({ nodeId: this.identity.id, crypto: nodeCrypto, clock: () => (this.t += 1000) });
  }

  /** Appends `n` readings and stores them into `hub` in signed batches of BATCH. */
  write(hub: Hub, n: number): void {
    for (let done = 0; done < n; done += BATCH) {
      const es = Array.from({ length: Math.min(BATCH, n - done) }, (_, i) =>
        this.log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + ((done + i) % 100) / 10, quality: 'good', time: this.t }),
      );
      hub.cartridge.ingestBatch(createBatch(es, this.identity, nodeCrypto));
    }
  }
}

/** Enrols every node on every hub (replication carries entries of enrolled nodes). */
export function enrol(hubs: readonly Hub[], nodes: readonly BenchNode[]): void {
  for (const h of hubs) for (const n of nodes) h.cartridge.addNode(n.identity.publicKey, { name: `bench-${n.identity.id.slice(2, 8)}` });
}

/** Every node's chain on `hub` cut into the pages a peer would be sent (MeshStore.pageOut, about `size` entries each). */
export function pagesOf(hub: Hub, nodes: readonly BenchNode[], size: number): { node: string; bytes: Uint8Array }[] {
  const pages: { node: string; bytes: Uint8Array }[] = [];
  for (const n of nodes) {
    const node = n.identity.id;
    for (let from = 1; ; ) {
      const bytes = hub.mesh.store.pageOut(node, from, size);
      if (!bytes) break;
      pages.push({ node, bytes });
      const last = pageLast(bytes);
      if (last === undefined) throw new Error(`page of ${node} from ${from} has no last seq`);
      from = last + 1;
    }
  }
  return pages;
}
