import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { type EventEntry, entryHash } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import type { Cartridge } from '../store/cartridge.js';
import { exportBundle } from '../store/export-bundle.js';
import type { SourceKind } from '../store/nodes.js';
import { type ChainHead, ChainHeads } from './chain-heads.js';
import { MeshError, type MeshErrorCode } from './mesh-error.js';
import { MeshRecords } from './mesh-records.js';
import { PeerBook } from './peer-book.js';
import { PeerHeads } from './peer-heads.js';
import { type CheckedPage, checkPage, ForkSeen, PageAhead, type PageStored, storeChecked } from './page-in.js';
import { checkPageOffThread } from './page-check-off-thread.js';
import { ReplicationScope } from './replication-scope.js';
import type { SignatureThread } from './signature-thread.js';

/** The most entries one page carries (a page still ends on a checkpoint, so it may hold a little more). */
const MAX_PAGE_ENTRIES = 4096;

/** What the mesh reports on the hub's own chain: a fork seen, a page refused. */
export type MeshReport =
  | { type: 'system.mesh.fork'; data: { node: string; seq: number; peer: string } }
  | { type: 'system.mesh.refused'; data: { peer: string; code: MeshErrorCode; node: string } };

export interface MeshStoreOptions {
  cartridge: Cartridge;
  crypto: CryptoProvider;
  clock: () => number;
  /** Appends a report to the hub's own chain (host/hub/hub-log.ts); absent, nothing is appended. */
  report?: (r: MeshReport) => void;
  /** Called inside a page's transaction with a paired hub chain's fresh entries (replicated administration). */
  onPeerHubEntries?: (peer: string, fresh: readonly EventEntry[]) => void;
}

/** How a page is stored (MeshStore.pageIn says what each does). */
interface PageInOptions {
  waitAhead?: boolean;
  unsynced?: boolean;
}

/** A check run now whose outcome, refusal included, is taken later. */
function checkLater(check: () => CheckedPage): Promise<CheckedPage> {
  try {
    return Promise.resolve(check());
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Refusals that are the sending peer's fault: recorded and reported. */
const PEER_FAULTS: ReadonlySet<MeshErrorCode> = new Set(['altered', 'reordered', 'truncated', 'forged-checkpoint', 'unsigned', 'malformed']);

/**
 * The mesh's side of the cartridge: the heads and fingerprint of every
 * replicated chain, what each peer holds, pages out (a `fazt/bundle/v1`
 * bundle of one chain) and pages in (verified, stored in one transaction,
 * a fork kept as proof, a forged page refused and recorded).
 */
export class MeshStore {
  readonly heads: ChainHeads;
  readonly peerHeads: PeerHeads;
  readonly records: MeshRecords;
  readonly peers: PeerBook;
  readonly scope: ReplicationScope;

  constructor(private readonly o: MeshStoreOptions) {
    this.heads = new ChainHeads(o.cartridge.db, o.crypto);
    this.peerHeads = new PeerHeads(o.cartridge.db);
    this.records = new MeshRecords(o.cartridge.db);
    this.peers = new PeerBook(o.cartridge.db, o.crypto);
    this.scope = new ReplicationScope(o.cartridge.db);
  }

  /**
   * Whether `node`'s chain replicates with `peer`: hub chains (this hub's,
   * paired hubs') always; a node's as the owner's scope for that peer says.
   */
  replicates(peer: string, node: string): boolean {
    const kind = this.heads.kindOf(node);
    if (kind === 'hub' || kind === 'peer' || this.peers.get(node) !== undefined) return true;
    return this.scope.replicates(peer, node);
  }

  /**
   * The heads replicated with `peer` (ChainHeads.list within its scope): what
   * its fingerprint and heads cover, both ways of a round. Durable before
   * they are told (Cartridge.durable): a peer must never learn of an entry of
   * this hub's chain that a power cut could take back.
   */
  headsFor(peer: string): (ChainHead & { kind: SourceKind })[] {
    const only = this.scope.only(peer);
    const all = this.heads.list();
    this.o.cartridge.durable();
    if (!only) return all;
    const listed = new Set(only);
    return all.filter((h) => h.kind !== 'node' || listed.has(h.node));
  }

  /** The fingerprint of what this hub replicates with `peer`. */
  fingerprintFor(peer: string): Uint8Array {
    return this.heads.fingerprint(this.headsFor(peer));
  }

  /**
   * A peer told us the heads it holds: recorded, and answered with ours that
   * differ from them (a chain it lacks, is behind on or holds otherwise).
   */
  exchangeHeads(peer: string, theirs: readonly ChainHead[]): ChainHead[] {
    this.peerHeads.record(peer, theirs, this.o.clock());
    const them = new Map(theirs.map((h) => [h.node, h]));
    return this.headsFor(peer)
      .filter((h) => {
        const t = them.get(h.node);
        return !t || t.seq !== h.seq || !bytesEqual(t.hash, h.hash);
      })
      .map(({ node, seq, hash }) => ({ node, seq, hash }));
  }

  /** Whether the stored entry of `node` at `seq` is the one with hash `hash` (the peer's head is on our chain). */
  holds(node: string, seq: number, hash: Uint8Array): boolean {
    for (const e of this.o.cartridge.chain(node, { from: seq, to: seq })) return bytesEqual(entryHash(e, this.o.crypto), hash);
    return false;
  }

  /** A page for `peer` (pageOut), refused with MeshError 'out-of-scope' for a node's chain not replicated with it. */
  pageFor(peer: string, node: string, from: number, limit: number): Uint8Array | undefined {
    if (!this.replicates(peer, node)) throw new MeshError('out-of-scope', `${node} is not replicated with ${peer} (fazt mesh peers --only)`);
    return this.pageOut(node, from, limit);
  }

  /** A page of `node`'s chain from seq `from`, at most about `limit` entries, or undefined when nothing is stored there; durable (exportBundle). */
  pageOut(node: string, from: number, limit: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number from 1, got ${limit}`);
    const head = this.o.cartridge.head(node);
    if (!head || head.seq < from) return undefined;
    return exportBundle(this.o.cartridge, node, from, Math.min(limit, MAX_PAGE_ENTRIES)).bytes;
  }

  /**
   * Stores a page `peer` sent for `node` (host/mesh/page-in.ts). A fork is
   * kept (mesh_forks, the page as proof) and reported; a page that does not
   * verify is recorded as a refusal and reported; either way nothing of it is
   * stored and the MeshError is thrown. `waitAhead`: a page past the stored
   * head is not the sender's fault (NATS): PageAhead is thrown unrecorded.
   *
   * `unsynced`: the page's commit is made without an fsync (Cartridge.derived),
   * for a caller that pulls again whatever a power cut takes back: a sync
   * round, which resumes from the stored heads. Safe because everything the
   * commit holds comes again identically from the peer: the node-signed
   * entries and checkpoints (the same bytes, so no fork can come of a loss),
   * a paired hub's chain and the administration it carries (applied again as
   * it is stored again), the peer's row when its chain is first stored. No
   * cursor runs ahead of them: a round's progress is the stored heads, read
   * from the same commits, and WAL recovery keeps a prefix of the commits
   * (each frame's checksum covers the ones before). What this hub concludes
   * of a page (a fork kept as proof, a refusal, its reports) is committed
   * apart and synced, as is anything on its own chain, and a synced commit
   * syncs every unsynced one before it. Nothing leaves before durable():
   * heads, pages, NATS, exports and backups call it. Not for NATS: its ack
   * ends the redelivery of a page a power cut could then take back.
   */
  pageIn(peer: string, node: string, bytes: Uint8Array, o: PageInOptions = {}): PageStored {
    this.inScope(peer, node);
    try {
      return this.stored(node, checkPage(this.o.crypto, node, bytes), o);
    } catch (e) {
      throw this.refused(peer, node, bytes, e, o);
    }
  }

  /**
   * pageIn in two steps, for a pull that checks a page while it stores the
   * one before (host/mesh/sync-round.ts): the page's checks begin now, its
   * checkpoints' signatures verified on `thread` (checkPageOffThread), or all
   * of them here without one; store() waits until they all passed, then
   * stores it as pageIn does, or records and throws its refusal as pageIn
   * does. Nothing of the page is stored before every check confirmed it.
   */
  pageInChecking(peer: string, node: string, bytes: Uint8Array, thread: SignatureThread | undefined): { store: (o?: PageInOptions) => Promise<PageStored> } {
    const checking = thread ? checkPageOffThread(this.o.crypto, node, bytes, thread) : checkLater(() => checkPage(this.o.crypto, node, bytes));
    checking.catch(() => {}); // awaited by store(), or dropped with a round that stopped before it
    return {
      store: async (o = {}) => {
        this.inScope(peer, node);
        try {
          return this.stored(node, await checking, o);
        } catch (e) {
          throw this.refused(peer, node, bytes, e, o);
        }
      },
    };
  }

  private inScope(peer: string, node: string): void {
    if (!this.replicates(peer, node)) throw new MeshError('out-of-scope', `${node} is not replicated with ${peer}: its page is not taken`);
  }

  private stored(node: string, page: CheckedPage, o: PageInOptions): PageStored {
    const ctx = {
      cartridge: this.o.cartridge,
      crypto: this.o.crypto,
      pairedKey: (hub: string) => this.peers.get(hub)?.publicKey,
      onPeerHubEntries: this.o.onPeerHubEntries,
    };
    return o.unsynced ? this.o.cartridge.derived(() => storeChecked(ctx, node, page)) : storeChecked(ctx, node, page);
  }

  /** A page's failure, the fork kept or the refusal recorded and reported (pageIn says which); returned to be thrown. */
  private refused(peer: string, node: string, bytes: Uint8Array, e: unknown, o: PageInOptions): unknown {
    const at = this.o.clock();
    if (o.waitAhead && e instanceof PageAhead) return e;
    if (e instanceof ForkSeen) {
      if (this.records.fork({ ...e.fork, fromPeer: peer, proof: bytes, at }))
        this.o.report?.({ type: 'system.mesh.fork', data: { node, seq: e.fork.seq, peer } });
    } else if (e instanceof MeshError && PEER_FAULTS.has(e.code as MeshErrorCode)) {
      this.records.refuse(peer, e.code as MeshErrorCode, e.message, at);
      this.o.report?.({ type: 'system.mesh.refused', data: { peer, code: e.code as MeshErrorCode, node } });
    }
    return e;
  }
}
