import type { RemoteInfo } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import ssdp, { type Client, type Server, type SsdpHeaders } from 'node-ssdp';
import {
  BEACON_HEADER,
  BEACON_SEARCH_TARGET,
  BEACON_SIG_HEADER,
  signBeacon,
  verifyBeacon,
  type BeaconFields,
  type BeaconRecord,
  type BeaconState,
} from '../../firmware/beacon/beacon-record.js';
import { SSDP_PORT } from '../../firmware/beacon/ssdp-message.js';
import { FORGET_AFTER_MS, PeerTable, type BeaconPeer, type PeerChange } from '../../firmware/beacon/peer-table.js';
import { fromBase64url } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import type { PeerCache } from '../store/peer-cache.js';

export { SSDP_PORT };
export const ANNOUNCE_MS = 30_000;
/** How long binding SSDP's sockets may take before start() gives up (node-ssdp reports bind errors only to its logger). */
const BIND_TIMEOUT_MS = 5000;

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

/** Non-internal IPv4 addresses, the ones node-ssdp announces on. */
export function lanAddresses(only?: string[]): string[] {
  const out: string[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    if (only && !only.includes(name)) continue;
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

/** The node-ssdp internals the beacon adjusts (the package has no option for them). */
interface ServerInternals {
  _initAdLoop: () => void;
  _startAdLoop: () => void;
  _stopAdLoop: () => void;
  _adLoopInterval: unknown;
  sockets: Record<string, import('node:dgram').Socket> | null;
}

/**
 * The hub's Beacon: node-ssdp announces a signed record (ssdp:alive every
 * announceMs, ssdp:byebye on stop) and answers M-SEARCH for our search target;
 * the same sockets hear other peers' NOTIFYs, and a search at start hears the
 * peers already there. Every packet is verified (firmware/beacon/beacon-record.ts)
 * before it touches the peer table or the store; silent peers are forgotten
 * after forgetMs.
 */
export class HubBeacon {
  private server: Server | undefined;
  private client: Client | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private readonly table: PeerTable;
  private readonly announceMs: number;
  private readonly forgetMs: number;
  private signed: { record: BeaconRecord; headers: Record<string, string> } | undefined;
  private fields: BeaconFields | undefined;
  private lastIssued = 0;
  private announcements = 0;
  private refused = 0;

  constructor(private readonly o: HubBeaconOptions) {
    this.announceMs = o.announceMs ?? ANNOUNCE_MS;
    this.forgetMs = o.forgetMs ?? FORGET_AFTER_MS;
    if (!(this.announceMs >= 100)) throw new RangeError(`announceMs must be at least 100, got ${this.announceMs}`);
    this.table = new PeerTable(this.forgetMs, (peer, change) => {
      if (change === 'left' || change === 'expired') o.cache?.remove(peer.record.id);
      o.onPeer?.(peer, change);
    });
  }

  get record(): BeaconRecord {
    if (!this.signed) throw new Error('the beacon is not started');
    return this.signed.record;
  }

  async start(): Promise<void> {
    if (this.server) throw new Error('the beacon is already started');
    const addresses = lanAddresses(this.o.interfaces);
    if (addresses.length === 0)
      throw new FaztError('beacon-no-network', `no IPv4 network interface${this.o.interfaces ? ` among ${this.o.interfaces.join(', ')}` : ''} to announce on`);
    this.fields = { kind: 'hub', name: this.o.name, board: this.o.board, version: this.o.version, services: this.o.services, addresses, port: this.o.apiPort };
    // node-ssdp sends this very object's entries with every NOTIFY and answer; sign() refreshes it in place.
    const headers: Record<string, string> = {};
    this.signed = { record: this.sign(headers, 'alive'), headers };
    const ssdpPort = this.o.ssdpPort ?? SSDP_PORT;
    const common = { ssdpPort, interfaces: this.o.interfaces, customLogger: () => {} };
    const server = new ssdp.Server({
      ...common,
      headers,
      sourcePort: ssdpPort,
      location: { port: this.o.apiPort, path: '/v1/beacon' },
      udn: `uuid:fazt-${this.o.identity.id}`,
      adInterval: this.announceMs,
      suppressRootDeviceAdvertisements: true,
    });
    // node-ssdp's first announcement waits 3 s on a timer stop() cannot clear: announce at once instead.
    const internals = server as unknown as ServerInternals;
    internals._initAdLoop = () => internals._startAdLoop();
    server.addUSN(BEACON_SEARCH_TARGET);
    server.on('advertise-alive', (h, r) => this.heard(h, r, h.NT, 'alive'));
    server.on('advertise-bye', (h, r) => this.heard(h, r, h.NT, 'bye'));
    const announce = server.advertise.bind(server);
    // Every announcement carries a newly signed record: receivers take only newer ones, so a replay refreshes nothing.
    server.advertise = (alive?: boolean) => {
      this.sign(headers, alive === false ? 'bye' : 'alive');
      if (alive !== false) this.announcements++;
      announce(alive);
    };
    const client = new ssdp.Client({ ...common, headers: {} });
    client.on('response', (h, _status, r) => this.heard(h, r, h.ST, 'alive'));
    try {
      await bound(server.start(), () => internals.sockets, ssdpPort);
      this.server = server;
      await bound(client.start(), () => (client as unknown as ServerInternals).sockets, 0);
      this.client = client;
    } catch (e) {
      if (internals._adLoopInterval) internals._stopAdLoop();
      if (internals.sockets) (server as unknown as { _stop: () => void })._stop();
      if ((client as unknown as ServerInternals).sockets) client.stop();
      this.server = this.client = undefined;
      throw e;
    }
    server.advertise();
    this.search();
    this.expiry = setInterval(() => this.expire(), Math.max(50, Math.min(this.forgetMs / 5, 60_000)));
    this.expiry.unref();
  }

  /** Signs the record for `state` with a rising issue time, into `headers` in place. */
  private sign(headers: Record<string, string>, state: BeaconState): BeaconRecord {
    const issued = Math.max(Math.floor(this.o.clock()), this.lastIssued + 1);
    this.lastIssued = issued;
    const s = signBeacon({ ...(this.fields as BeaconFields), issued }, this.o.identity, this.o.crypto, state);
    Object.assign(headers, s.headers);
    if (state === 'alive' && this.signed) this.signed.record = s.record;
    return s.record;
  }

  /** Sends an M-SEARCH for Fazt beacons; answers arrive as peers. */
  search(): void {
    this.client?.search(BEACON_SEARCH_TARGET);
  }

  peers(): BeaconPeer[] {
    return this.table.list();
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

  /** Says goodbye (twice, UDP is lossy, the second after the first has left) and closes the sockets. */
  async stop(): Promise<void> {
    if (this.expiry) clearInterval(this.expiry);
    this.expiry = undefined;
    this.client?.stop();
    this.client = undefined;
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // No alive may follow the goodbye: stop the announcement loop first.
    (server as unknown as ServerInternals)._stopAdLoop();
    server.advertise(false);
    await new Promise((ok) => setTimeout(ok, 100));
    (server as unknown as { _stop: () => void })._stop();
  }

  private expire(): void {
    const now = this.o.clock();
    this.table.expire(now);
    this.o.cache?.prune(now - this.forgetMs);
  }

  private heard(headers: SsdpHeaders, rinfo: RemoteInfo, target: string | undefined, state: BeaconState): void {
    if (target !== BEACON_SEARCH_TARGET) return; // another UPnP device's traffic
    let record: BeaconRecord;
    try {
      record = verifyBeacon(headers, rinfo.address, this.o.crypto, undefined, state);
    } catch (e) {
      if (!(e instanceof FaztError)) throw e;
      if (e.code === 'beacon-missing') return; // someone else's device on our search target
      this.refused++;
      this.o.onRefused?.(e, rinfo.address);
      return;
    }
    if (record.id === this.o.identity.id) return; // our own announcement, looped back
    if (state === 'bye') {
      this.table.left(record);
      return;
    }
    const now = Math.floor(this.o.clock());
    const { peer, fresh } = this.table.heard(record, rinfo.address, now);
    if (!peer || !fresh) return; // not newer than what we hold: a repeat or a replay changes nothing
    this.o.cache?.save(
      record,
      { record: fromBase64url(headers[BEACON_HEADER].trim()), signature: fromBase64url(headers[BEACON_SIG_HEADER].trim()) },
      rinfo.address,
      peer.firstSeen,
      now,
    );
  }
}

/** Waits for node-ssdp to bind its sockets; it reports a bind failure only to its logger, so watch the sockets too. */
async function bound(started: Promise<void>, sockets: () => Record<string, import('node:dgram').Socket> | null, port: number): Promise<void> {
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const onError = (e: Error) => fail(new FaztError('beacon-bind', `cannot bind UDP port ${port} for SSDP: ${e.message}`));
  const list = Object.values(sockets() ?? {});
  for (const s of list) s.once('error', onError);
  const timer = setTimeout(() => fail(new FaztError('beacon-bind', `SSDP sockets not bound within ${BIND_TIMEOUT_MS} ms`)), BIND_TIMEOUT_MS);
  try {
    await Promise.race([started, failed]);
  } finally {
    clearTimeout(timer);
    for (const s of list) s.off('error', onError);
  }
}
