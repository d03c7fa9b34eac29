import { fromHex } from '../../firmware/codec/text-encodings.js';
import { isValueMap, type Value, type ValueMap } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { sourceNode, type EventEntry } from '../../firmware/event/envelope.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import type { Cartridge } from '../store/cartridge.js';
import { PeerBook } from './peer-book.js';

/** The hub-chain events that administer nodes, and replicate with the chain (README "Mesh"). */
const ENROLLED = 'system.node.enrolled';
const ADMIN = ['system.node.renamed', 'system.node.retired', 'system.node.revoked'] as const;
const NODE_ID = /^fz[a-z2-7]{24}$/;
const KEY_HEX = /^[0-9a-f]{64}$/;

/** What one peer event did here. */
export interface PeerAdminOutcome {
  seq: number;
  type: string;
  node?: string;
  /** applied: the nodes table changed; unchanged: it already said so (idempotent); ignored: refused, `reason` says why. */
  result: 'applied' | 'unchanged' | 'ignored';
  reason?: string;
}

const isAdmin = (type: string): boolean => type === ENROLLED || (ADMIN as readonly string[]).includes(type);

/**
 * Applies a paired peer hub's administration of nodes, read from its chain
 * (entries the caller has verified and stored: the mesh store's page hook,
 * or the NATS transport), to this hub's `nodes` table: system.node.enrolled
 * registers the node with its key (only when the id derives from the key;
 * a re-enrolment's name and board replace the old, as where it was taken),
 * renamed / retired / revoked change it as the owner's own request would.
 * Idempotent and order-safe: retire and revoke keep the first moment, and
 * nothing clears a revocation, so a node revoked on one hub is refused by
 * every hub that hears of it, whatever arrives later from any hub. A change
 * to a node this hub has not heard enrolled yet waits in the stored chain:
 * the enrolment, when it comes, replays what trusted hub chains say of it.
 * Runs inside the caller's transaction; returns what each event did, for the
 * caller's report (never secrets: the events hold none).
 */
export function applyPeerAdmin(
  cartridge: Cartridge,
  peer: string,
  entries: readonly EventEntry[],
  now: number,
  crypto: CryptoProvider = nodeCrypto,
): PeerAdminOutcome[] {
  if (!NODE_ID.test(peer)) throw new TypeError(`peer must be a hub id (fz + 24 base32 characters), got ${JSON.stringify(peer)}`);
  if (!Number.isSafeInteger(now)) throw new TypeError(`now must be whole milliseconds, got ${now}`);
  const out: PeerAdminOutcome[] = [];
  for (const e of entries) {
    if (!isAdmin(e.type)) continue;
    const o = applyOne(cartridge, peer, e, now, crypto);
    out.push(o);
  }
  return out;
}

function applyOne(cartridge: Cartridge, peer: string, e: EventEntry, now: number, crypto: CryptoProvider): PeerAdminOutcome {
  const base = { seq: e.seq, type: e.type };
  const ignore = (reason: string, node?: string): PeerAdminOutcome => ({ ...base, ...(node ? { node } : {}), result: 'ignored', reason });
  if (sourceNode(e.source) !== peer) return ignore(`not on the chain of peer ${peer} (source ${e.source})`);
  const d = isValueMap(e.data as Value) ? (e.data as ValueMap) : {};
  const node = typeof d.node === 'string' && NODE_ID.test(d.node) ? d.node : undefined;
  if (!node) return ignore('data.node is not a node id');
  const admin = cartridge.nodeAdmin;
  if (e.type === ENROLLED) {
    if (typeof d.publicKey !== 'string' || !KEY_HEX.test(d.publicKey)) return ignore('data.publicKey is not 64 hex digits', node);
    const publicKey = fromHex(d.publicKey);
    const derived = nodeIdFromPublicKey(publicKey, crypto);
    if (derived !== node) return ignore(`forged enrolment: the key's id is ${derived}, not ${node}`, node);
    const name = typeof d.name === 'string' ? d.name : undefined;
    const board = typeof d.board === 'string' ? d.board : undefined;
    const known = cartridge.hasNode(node);
    if (known) {
      // Only a re-enrolment (existed) renames, as on the hub that took it: a first enrolment seen again must not undo a later rename.
      const s = cartridge.nodeSummary(node);
      const same = (name === undefined || name === s?.name) && (board === undefined || board === s?.board);
      if (d.existed !== true || same) return { ...base, node, result: 'unchanged' };
    }
    admin.register({ id: node, publicKey, name, board }, now);
    if (!known) replayStored(cartridge, node, now, crypto);
    return { ...base, node, result: 'applied' };
  }
  if (!cartridge.hasNode(node)) return ignore('unknown-node: applied when its enrolment arrives', node);
  const before = cartridge.nodeKey(node);
  const summary = () => cartridge.nodeSummary(node);
  if (e.type === 'system.node.renamed') {
    if (typeof d.name !== 'string' || d.name === '') return ignore('data.name is not a name', node);
    if (summary()?.name === d.name) return { ...base, node, result: 'unchanged' };
    admin.rename(node, d.name);
    return { ...base, node, result: 'applied' };
  }
  if (e.type === 'system.node.retired') {
    if (summary()?.retiredAt != null) return { ...base, node, result: 'unchanged' };
    admin.retire(node, now);
    return { ...base, node, result: 'applied' };
  }
  if (before?.revoked) return { ...base, node, result: 'unchanged' };
  admin.revoke(node, now);
  return { ...base, node, result: 'applied' };
}

/**
 * A node just registered from a peer's enrolment: what the trusted hub
 * chains stored here (this hub's own and its paired peers') already said of
 * it — a rename, a retirement, a revocation that arrived before the
 * enrolment — applies now, in chain order.
 */
function replayStored(cartridge: Cartridge, node: string, now: number, crypto: CryptoProvider): void {
  const trusted = new Set([...cartridge.chainIds('hub'), ...new PeerBook(cartridge.db, crypto).list().map((p) => p.hub)]);
  // Chain by chain (the hubs' chains are short beside the nodes'), in chain order.
  for (const chain of trusted) {
    let cursor: string | undefined;
    do {
      const page = cartridge.events({ node: chain, type: 'system.node.*', limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const e of page.events) {
        const d = e.data as ValueMap;
        if ((ADMIN as readonly string[]).includes(e.type) && isValueMap(d) && d.node === node) applyOne(cartridge, chain, e, now, crypto);
      }
      cursor = page.next ?? undefined;
    } while (cursor);
  }
}
