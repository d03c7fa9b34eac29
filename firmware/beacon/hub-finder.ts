import type { FaztError } from '../../hal/contracts/errors.js';
import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import type { HalTime, TimerId } from '../../hal/contracts/time.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';
import type { BeaconFields } from './beacon-record.js';
import type { BeaconPeer, PeerChange } from './peer-table.js';
import { BeaconEndpoint } from './ssdp-endpoint.js';

export interface HubFinderOptions {
  udp: (options: UdpOptions) => UDP;
  time: HalTime;
  crypto: CryptoProvider;
  identity: NodeIdentity;
  /** The hub's public key: only a beacon signed by it is followed. */
  hubKey: Uint8Array;
  /** Announce this node too. */
  self?: BeaconFields;
  group?: string;
  port?: number;
  forgetMs?: number;
  /** How long one search listens (default 3 s). */
  searchWindowMs?: number;
  /** The first wait before searching again, doubling to 60 s (default 5 s). */
  retryMs?: number;
  /** The hub's beacon heard (found, updated) or gone (left, expired), as the endpoint reports it. */
  onPeer: (peer: BeaconPeer, change: PeerChange) => void;
  /** A packet that claimed to be a Fazt beacon and was refused; another hub's key is told once per address. */
  onRefused: (error: FaztError, address: string) => void;
}

const MAX_RETRY_MS = 60_000;

/**
 * Looks for one hub on the LAN (ARCHITECTURE: Beacon): an SSDP endpoint
 * that trusts only beacons signed by the hub's key, searches on demand, and
 * searches again after a delay that doubles while nothing works. Its
 * announcements and goodbyes reach the caller through onPeer.
 */
export class HubFinder {
  private readonly beacon: BeaconEndpoint;
  private timer: TimerId | undefined;
  /** Which search round is current: a late answer to an older one is ignored. */
  private round = 0;
  private retry: number;
  private readonly noted = new Set<string>();

  constructor(private readonly o: HubFinderOptions) {
    this.retry = o.retryMs ?? 5000;
    this.beacon = new BeaconEndpoint({
      udp: o.udp,
      time: o.time,
      crypto: o.crypto,
      group: o.group,
      port: o.port,
      forgetMs: o.forgetMs,
      expectKey: o.hubKey,
      kinds: ['hub'],
      self: o.self ? { identity: o.identity, fields: o.self } : undefined,
      onPeer: o.onPeer,
      onRefused: (e, address) => {
        // Another hub on the LAN is not news after the first time.
        const key = `${e.code} ${address}`;
        if (e.code === 'beacon-unexpected-key' && this.noted.has(key)) return;
        if (this.noted.size < 64) this.noted.add(key);
        o.onRefused(e, address);
      },
    });
  }

  start(): void {
    this.beacon.start();
  }

  stop(): void {
    this.cancel();
    this.beacon.stop();
  }

  /** Searches now; `found` gets the first hub that answered, or undefined when none did (not at all once another search began). */
  search(found: (hub: BeaconPeer | undefined) => void): void {
    this.cancel();
    const round = ++this.round;
    this.beacon.search(
      this.o.searchWindowMs ?? 3000,
      (peers) => {
        if (round === this.round) found(peers[0]);
      },
      (peers) => peers.length > 0,
    );
  }

  /** Runs `then` after the retry delay, which doubles every time until reset(). */
  later(then: () => void): void {
    this.cancel();
    const wait = this.retry;
    this.retry = Math.min(this.retry * 2, MAX_RETRY_MS);
    this.timer = this.o.time.setTimeout(() => {
      this.timer = undefined;
      then();
    }, wait);
  }

  /** Something worked: the next wait is the first one again. */
  reset(): void {
    this.retry = this.o.retryMs ?? 5000;
  }

  /** Drops a pending later(). */
  cancel(): void {
    if (this.timer !== undefined) this.o.time.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
