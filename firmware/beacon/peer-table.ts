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

/**
 * The peers a beacon has verified, keyed by id: heard (alive or a search
 * answer), left (byebye) and expired (silent longer than forgetMs). Only
 * verified records go in; the caller verifies first (verifyBeacon).
 * Shared by the hub's beacon and the firmware's SSDP endpoint.
 */
export class PeerTable {
  private readonly byId = new Map<string, BeaconPeer>();

  constructor(private readonly forgetMs: number = FORGET_AFTER_MS, private readonly onChange?: (peer: BeaconPeer, change: PeerChange) => void) {
    if (!(forgetMs > 0)) throw new RangeError(`forgetMs must be > 0, got ${forgetMs}`);
  }

  heard(record: BeaconRecord, address: string, now: number): BeaconPeer {
    const old = this.byId.get(record.id);
    const peer: BeaconPeer = { record, address, url: beaconUrl(record, address), firstSeen: old ? old.firstSeen : now, lastSeen: now };
    this.byId.set(record.id, peer);
    this.onChange?.(peer, old ? 'updated' : 'found');
    return peer;
  }

  /** A byebye: only from a verified packet, so nobody can make us forget a peer but the peer. */
  left(id: string): void {
    const p = this.byId.get(id);
    if (!p) return;
    this.byId.delete(id);
    this.onChange?.(p, 'left');
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
}
