import { beaconUrl, type BeaconRecord } from './beacon-record.js';

/** A verified peer as last heard. */
export interface BeaconPeer {
  record: BeaconRecord;
  /** The address its latest packet came from (one of record.addresses). */
  address: string;
  /** Its HTTP API on that address. */
  url: string;
  firstSeen: number;
  lastSeen: number;
}

export type PeerChange = 'found' | 'updated' | 'left' | 'expired';

/** Five minutes of silence and a peer is forgotten (ARCHITECTURE: Beacon). */
export const FORGET_AFTER_MS = 5 * 60_000;

/** How many goodbyes are remembered (so an old alive cannot bring a peer back). */
const DEPARTED_LIMIT = 256;

/**
 * The peers a beacon has verified, keyed by id: heard (alive or a search
 * answer), left (byebye) and expired (silent longer than forgetMs). Only
 * verified records go in; the caller verifies first (verifyBeacon, which
 * also checks the signed state against the packet's). Records only move
 * forward: one not newer (by its signed `issued`) than the record held, or
 * than the byebye last heard from that peer, refreshes nothing, so a
 * replayed packet can neither keep a peer alive, bring it back, nor make
 * anyone forget it. Shared by the hub's beacon and the firmware's SSDP endpoint.
 */
export class PeerTable {
  private readonly byId = new Map<string, BeaconPeer>();
  private readonly departed = new Map<string, number>();

  constructor(
    private readonly forgetMs: number = FORGET_AFTER_MS,
    private readonly onChange?: (peer: BeaconPeer, change: PeerChange) => void,
  ) {
    if (!(forgetMs > 0)) throw new RangeError(`forgetMs must be > 0, got ${forgetMs}`);
  }

  /**
   * A verified alive record (an announcement or a search answer). `fresh` is
   * false when it was not newer than what is held: then nothing changed, and
   * `peer` is the peer as held (undefined if it said goodbye since).
   */
  heard(record: BeaconRecord, address: string, now: number): { peer: BeaconPeer | undefined; fresh: boolean } {
    const old = this.byId.get(record.id);
    const bye = this.departed.get(record.id);
    if ((old && record.issued <= old.record.issued) || (bye !== undefined && record.issued <= bye)) return { peer: old, fresh: false };
    this.departed.delete(record.id);
    const peer: BeaconPeer = { record, address, url: beaconUrl(record, address), firstSeen: old ? old.firstSeen : now, lastSeen: now };
    this.byId.set(record.id, peer);
    this.onChange?.(peer, old ? 'updated' : 'found');
    return { peer, fresh: true };
  }

  /** A verified byebye record: forgets the peer if it is newer than the record held. Returns whether it did. */
  left(record: BeaconRecord): boolean {
    const p = this.byId.get(record.id);
    if (!p || record.issued <= p.record.issued) return false;
    this.byId.delete(record.id);
    if (this.departed.size >= DEPARTED_LIMIT) this.departed.delete(this.departed.keys().next().value as string);
    this.departed.set(record.id, record.issued);
    this.onChange?.(p, 'left');
    return true;
  }

  /** Forgets peers silent for longer than forgetMs; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const p of Array.from(this.byId.values())) {
      if (now - p.lastSeen > this.forgetMs) {
        this.byId.delete(p.record.id);
        this.onChange?.(p, 'expired');
        n++;
      }
    }
    return n;
  }

  get(id: string): BeaconPeer | undefined {
    return this.byId.get(id);
  }

  list(): BeaconPeer[] {
    return Array.from(this.byId.values()).sort((a, b) => (a.record.id < b.record.id ? -1 : 1));
  }

  get size(): number {
    return this.byId.size;
  }

  /** How often to call expire(): a fifth of forgetMs, between 50 ms and a minute. */
  get expireEveryMs(): number {
    return Math.max(50, Math.min(this.forgetMs / 5, 60_000));
  }
}
