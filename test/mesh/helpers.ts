import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import type { Hub } from '../../host/hub/hub.js';
import type { HubOptions } from '../../host/hub/hub-options.js';
import { startHub } from '../hub/helpers.js';

export const crypto = nodeCrypto;

export type Started = Awaited<ReturnType<typeof startHub>>;

/** Pairs `a` with `b` on a's side (b's key and url in a's PeerBook), as `fazt mesh pair` will. */
export function pairOneWay(a: Hub, b: Started, now = Date.now()): void {
  a.mesh.store.peers.add({ publicKey: b.hub.publicKey, name: 'peer', url: b.url }, now);
}

/** Two hubs on loopback, each paired with the other; stop() stops both. */
export async function startPair(options: HubOptions = {}): Promise<{ a: Started; b: Started; stop: () => Promise<void> }> {
  const a = await startHub(options);
  const b = await startHub(options);
  pairOneWay(a.hub, b);
  pairOneWay(b.hub, a);
  return { a, b, stop: async () => void (await Promise.all([a.stop(), b.stop()])) };
}

/** A chain's stored entries as one comparable string: seq and id of each (the id is the entry's hash). */
export function chainDigest(h: Hub, node: string): string {
  return [...h.cartridge.chain(node)].map((e) => `${e.seq}:${e.id}`).join(',');
}

/** Every replicated chain's head, as text, for comparing two hubs. */
export function headsOf(h: Hub): string[] {
  return h.mesh.store.heads.list().map((x) => `${x.node}@${x.seq}:${Buffer.from(x.hash).toString('hex')}`);
}
