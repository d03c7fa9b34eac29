import { randomBytes } from 'node:crypto';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import type { Cartridge } from '../store/cartridge.js';
import { MeshGate } from './mesh-auth.js';
import { MeshError } from './mesh-error.js';
import { type MeshReport, MeshStore } from './mesh-store.js';
import type { Peer } from './peer-book.js';
import { type RoundFigures, type SyncRoundOptions, syncRound } from './sync-round.js';

/** A round's outcome as status shows it: its figures, or why it could not run. */
export type RoundOutcome = { peer: string; at: number } & ({ figures: RoundFigures } | { error: { code: string; message: string } });

export interface MeshStatus {
  hub: string;
  peers: {
    hub: string;
    name?: string;
    url?: string;
    pairedAt: number;
    last?: RoundOutcome;
    /** Chains the peer was last seen ahead on (we lack entries), and behind on (it lacks ours). */
    behind: number;
    ahead: number;
  }[];
  forks: { node: string; seq: number; peer: string | null; at: number }[];
  refusals: { peer: string; code: string; message: string; at: number }[];
}

export interface MeshHubOptions {
  cartridge: Cartridge;
  crypto: CryptoProvider;
  clock: () => number;
  /** This hub's key (host/hub/hub-key.ts). */
  self: NodeIdentity;
  entropy?: (n: number) => Uint8Array;
  report?: (r: MeshReport) => void;
  onPeerHubEntries?: (peer: string, fresh: readonly EventEntry[]) => void;
  /** Where a paired hub without a stored url listens (resolvePeerUrl with the hub's beacon); absent, such a peer is unreachable. */
  locate?: (peer: Peer) => Promise<string>;
  /** Overrides for every round (page size, transport): tests and the bench. */
  round?: Partial<Pick<SyncRoundOptions, 'pageLimit' | 'post' | 'timeoutMs'>>;
}

/**
 * A hub's mesh: its store (host/mesh/mesh-store.ts), the gate every peer
 * request passes (mesh-auth.ts), and sync rounds against its paired hubs,
 * each one's last outcome kept for `fazt mesh status`.
 */
export class MeshHub {
  readonly store: MeshStore;
  readonly gate: MeshGate;
  private readonly last = new Map<string, RoundOutcome>();

  constructor(private readonly o: MeshHubOptions) {
    this.store = new MeshStore({ cartridge: o.cartridge, crypto: o.crypto, clock: o.clock, report: o.report, onPeerHubEntries: o.onPeerHubEntries });
    this.gate = new MeshGate({ self: o.self, crypto: o.crypto, clock: o.clock, peer: (hub) => this.store.peers.get(hub) });
  }

  get id(): string {
    return this.o.self.id;
  }

  /** One round against `peer` (syncRound); its outcome is kept for status. Throws MeshError when the round cannot run. */
  async round(peer: Peer, extra: Partial<SyncRoundOptions> = {}): Promise<RoundFigures> {
    const at = this.o.clock();
    try {
      const url = extra.url ?? peer.url ?? (await this.locate(peer));
      const figures = await syncRound({
        mesh: this.store,
        self: this.o.self,
        peer,
        url,
        crypto: this.o.crypto,
        clock: this.o.clock,
        entropy: this.o.entropy ?? ((n) => new Uint8Array(randomBytes(n))),
        ...this.o.round,
        ...extra,
      });
      this.last.set(peer.hub, { peer: peer.hub, at, figures });
      return figures;
    } catch (e) {
      const code = e instanceof MeshError ? e.code : 'internal';
      this.last.set(peer.hub, { peer: peer.hub, at, error: { code, message: (e as Error).message } });
      throw e;
    }
  }

  /** A round now against `peerId`, or against every paired hub (one without a url found by Beacon); each outcome, failures included. */
  async syncNow(peerId?: string): Promise<RoundOutcome[]> {
    const peers = peerId === undefined ? this.store.peers.list() : [this.store.peers.get(peerId)];
    const out: RoundOutcome[] = [];
    for (const p of peers) {
      if (!p) throw new MeshError('unpaired', `no paired hub ${peerId}`);
      await this.round(p).catch(() => undefined);
      out.push(this.last.get(p.hub) as RoundOutcome);
    }
    return out;
  }

  private locate(peer: Peer): Promise<string> {
    if (this.o.locate) return this.o.locate(peer);
    return Promise.reject(new MeshError('unreachable', `peer ${peer.hub} has no url, and this hub runs no beacon to find it by`));
  }

  status(refusals = 20): MeshStatus {
    const peers = this.store.peers.list().map((p) => {
      // Only what is replicated with this peer counts (its scope).
      const own = new Map(this.store.headsFor(p.hub).map((h) => [h.node, h.seq]));
      const theirs = this.store.peerHeads.of(p.hub);
      let behind = 0;
      let ahead = 0;
      for (const h of theirs.values()) if (h.seq > (own.get(h.node) ?? 0) && this.store.replicates(p.hub, h.node)) behind++;
      for (const [node, seq] of own) if (node !== p.hub && seq > (theirs.get(node)?.seq ?? 0)) ahead++;
      const last = this.last.get(p.hub);
      return {
        hub: p.hub,
        ...(p.name ? { name: p.name } : {}),
        ...(p.url ? { url: p.url } : {}),
        pairedAt: p.pairedAt,
        ...(last ? { last } : {}),
        behind,
        ahead,
      };
    });
    return {
      hub: this.o.self.id,
      peers,
      forks: this.store.records.forks().map((f) => ({ node: f.node, seq: f.seq, peer: f.fromPeer, at: f.at })),
      refusals: this.store.records.refusals(refusals).map((r) => ({ peer: r.peer, code: r.code, message: r.message, at: r.at })),
    };
  }
}
