import { announceInterval } from '../../firmware/beacon/beacon-announcer.js';
import { BeaconReceiver } from '../../firmware/beacon/beacon-receiver.js';
import {
  BEACON_HEADER,
  BEACON_SEARCH_TARGET,
  BEACON_SIG_HEADER,
  type BeaconFields,
  type BeaconRecord,
  type BeaconState,
} from '../../firmware/beacon/beacon-record.js';
import { BeaconSigner } from '../../firmware/beacon/beacon-signer.js';
import { FORGET_AFTER_MS, PeerTable, type BeaconPeer, type PeerChange } from '../../firmware/beacon/peer-table.js';
import { SSDP_PORT } from '../../firmware/beacon/ssdp-message.js';
import { fromBase64url } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { PeerCache } from '../store/peer-cache.js';
import { lanAddresses } from './lan-addresses.js';
import { SsdpSockets } from './ssdp-sockets.js';

export interface HubBeaconOptions {
  identity: NodeIdentity;
  crypto: CryptoProvider;
  name: string;
  board: string;
  version: string;
  /** The hub API's port: the record and LOCATION point there. */
  apiPort: number;
  services: string[];
  /** The hub's one clock (the Timekeeper's). */
  clock: () => number;
  announceMs?: number;
  forgetMs?: number;
  /** SSDP's port (1900); tests and benchmarks may move it. */
  ssdpPort?: number;
  /** Interface names to announce on (default: every non-internal IPv4 interface). */
  interfaces?: string[];
  cache?: PeerCache;
  onPeer?: (peer: BeaconPeer, change: PeerChange) => void;
  /** A packet that claimed to be a Fazt beacon and failed verification. */
  onRefused?: (error: FaztError, address: string) => void;
}

export interface BeaconStatus {
  record: BeaconRecord;
  announceMs: number;
  forgetMs: number;
  announcements: number;
  refused: number;
  peers: BeaconPeer[];
}

/**
 * The hub's Beacon: its SSDP sockets (ssdp-sockets.ts, on node-ssdp)
 * announce a signed record (ssdp:alive every announceMs, ssdp:byebye on
 * stop) and answer M-SEARCH for our search target; the same sockets hear
 * other peers' NOTIFYs, and a search at start hears the peers already there.
 * Every packet is verified (firmware/beacon/beacon-receiver.ts) before it
 * touches the peer table or the store; silent peers are forgotten after
 * forgetMs.
 */
export class HubBeacon {
  private sockets: SsdpSockets | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private readonly table: PeerTable;
  private readonly receiver: BeaconReceiver;
  private readonly signer: BeaconSigner;
  private readonly announceMs: number;
  private readonly forgetMs: number;
  private signed: { record: BeaconRecord; headers: Record<string, string> } | undefined;
  private fields: BeaconFields | undefined;
  private announcements = 0;
  private refused = 0;

  constructor(private readonly o: HubBeaconOptions) {
    this.announceMs = announceInterval(o.announceMs);
    this.forgetMs = o.forgetMs ?? FORGET_AFTER_MS;
    this.table = new PeerTable(this.forgetMs, (peer, change) => {
      if (change === 'left' || change === 'expired') o.cache?.remove(peer.record.id);
      o.onPeer?.(peer, change);
    });
    this.signer = new BeaconSigner(o.identity, o.crypto);
    this.receiver = new BeaconReceiver({
      crypto: o.crypto,
      table: this.table,
      now: o.clock,
      selfId: o.identity.id,
      onRefused: (e, address) => {
        this.refused++;
        o.onRefused?.(e, address);
      },
    });
  }

  get record(): BeaconRecord {
    if (!this.signed) throw new Error('the beacon is not started');
    return this.signed.record;
  }

  async start(): Promise<void> {
    if (this.sockets) throw new Error('the beacon is already started');
    const addresses = lanAddresses(this.o.interfaces);
    if (addresses.length === 0)
      throw new FaztError('beacon-no-network', `no IPv4 network interface${this.o.interfaces ? ` among ${this.o.interfaces.join(', ')}` : ''} to announce on`);
    this.fields = { kind: 'hub', name: this.o.name, board: this.o.board, version: this.o.version, services: this.o.services, addresses, port: this.o.apiPort };
    // The sockets send this very object's entries with every NOTIFY and answer; sign() refreshes it in place.
    const headers: Record<string, string> = {};
    this.signed = { record: this.sign(headers, 'alive'), headers };
    const sockets = await SsdpSockets.create({
      ssdpPort: this.o.ssdpPort ?? SSDP_PORT,
      interfaces: this.o.interfaces,
      target: BEACON_SEARCH_TARGET,
      udn: `uuid:fazt-${this.o.identity.id}`,
      location: { port: this.o.apiPort, path: '/v1/beacon' },
      announceMs: this.announceMs,
      headers,
      // Every announcement carries a newly signed record: receivers take only newer ones, so a replay refreshes nothing.
      beforeAnnounce: (state) => {
        this.sign(headers, state);
        if (state === 'alive') this.announcements++;
      },
      onPacket: (target, h, address, state) => this.heard(target, h, address, state),
    });
    await sockets.start();
    this.sockets = sockets;
    sockets.announce();
    this.search();
    this.expiry = setInterval(() => this.expire(), this.table.expireEveryMs);
    this.expiry.unref();
  }

  /** Signs the record for `state` with a rising issue time, into `headers` in place. */
  private sign(headers: Record<string, string>, state: BeaconState): BeaconRecord {
    const s = this.signer.sign(this.fields as BeaconFields, state, this.o.clock());
    Object.assign(headers, s.headers);
    if (state === 'alive' && this.signed) this.signed.record = s.record;
    return s.record;
  }

  /** Sends an M-SEARCH for Fazt beacons; answers arrive as peers. */
  search(): void {
    this.sockets?.search();
  }

  peers(): BeaconPeer[] {
    return this.table.list();
  }

  /**
   * A search in BeaconSearch's shape (host/mesh/resolve-peer-url.ts): an
   * M-SEARCH, then the verified peers once `until` holds, the time is up or
   * the beacon stops.
   */
  find(o: { timeoutMs: number; until: (peers: BeaconPeer[]) => boolean }): Promise<{ peers: BeaconPeer[] }> {
    this.search();
    const end = Date.now() + o.timeoutMs;
    return new Promise((done) => {
      const look = () => {
        const peers = this.peers();
        if (o.until(peers) || Date.now() >= end || !this.sockets) done({ peers });
        else setTimeout(look, 50).unref();
      };
      look();
    });
  }

  status(): BeaconStatus {
    return {
      record: this.record,
      announceMs: this.announceMs,
      forgetMs: this.forgetMs,
      announcements: this.announcements,
      refused: this.refused,
      peers: this.peers(),
    };
  }

  /** Says goodbye and closes the sockets. */
  async stop(): Promise<void> {
    if (this.expiry) clearInterval(this.expiry);
    this.expiry = undefined;
    const sockets = this.sockets;
    this.sockets = undefined;
    await sockets?.close();
  }

  private expire(): void {
    const now = this.o.clock();
    this.table.expire(now);
    this.o.cache?.prune(now - this.forgetMs);
  }

  /** A verified record newer than the one held goes to the cache too, with its signature (verifiable at rest). */
  private heard(target: string | undefined, headers: Record<string, string>, address: string, state: BeaconState): void {
    const r = this.receiver.receive(target, headers, address, state);
    if (r.outcome !== 'heard' || !r.peer || !r.fresh) return;
    this.o.cache?.save(
      r.record,
      { record: fromBase64url(headers[BEACON_HEADER].trim()), signature: fromBase64url(headers[BEACON_SIG_HEADER].trim()) },
      address,
      r.peer.firstSeen,
      r.peer.lastSeen,
    );
  }
}
