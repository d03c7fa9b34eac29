import { isIpv4Multicast } from '../../hal/contracts/check-udp-options.js';
import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import type { HalTime, TimerId } from '../../hal/contracts/time.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { NodeIdentity } from '../identity/node-id.js';
import {
  BEACON_HEADER,
  BEACON_SEARCH_TARGET,
  BEACON_SIG_HEADER,
  BeaconError,
  signBeacon,
  verifyBeacon,
  type BeaconFields,
  type BeaconRecord,
  type BeaconState,
} from './beacon-record.js';
import { FORGET_AFTER_MS, PeerTable, type BeaconPeer, type PeerChange } from './peer-table.js';
import { buildNotify, buildResponse, buildSearch, parseSsdp, SSDP_ALL, SSDP_GROUP, SSDP_PORT, type SsdpHeaders, type SsdpMessage } from './ssdp-message.js';

export type BeaconKind = BeaconRecord['kind'];

export interface BeaconSelf {
  identity: NodeIdentity;
  fields: BeaconFields;
}

export interface BeaconEndpointOptions {
  /** Opens a socket on the board's network (HalBackend.udp). */
  udp: (options: UdpOptions) => UDP;
  time: HalTime;
  crypto: CryptoProvider;
  /** Who we are: set it to announce and to answer searches; leave it out to only listen and search. */
  self?: BeaconSelf;
  /** ssdp:alive every announceMs (ARCHITECTURE: 30 s). */
  announceMs?: number;
  /** A peer silent this long is forgotten (5 min). */
  forgetMs?: number;
  /** Trust only records signed by this key (a node holding its hub's key from an invite). */
  expectKey?: Uint8Array;
  /** Record only these kinds (default both). */
  kinds?: BeaconKind[];
  /** Where NOTIFYs and M-SEARCHes go (239.255.255.250; a unicast address is not joined, for tests on loopback). */
  group?: string;
  port?: number;
  onPeer?: (peer: BeaconPeer, change: PeerChange) => void;
  /** A packet that claimed to be ours and was not: a BeaconError (forged, copied, foreign key) or an SsdpError (unreadable). */
  onRefused?: (error: FaztError, address: string) => void;
}

export interface BeaconStats {
  received: number;
  /** Not for us: another search target, another UPnP device, our own echo, a kind we do not want. */
  ignored: number;
  refused: number;
  /** A verified record no newer than the one held, or a byebye no newer (a repeat or a replay): changes nothing. */
  stale: number;
  announced: number;
  answered: number;
  searches: number;
  /** Writes the network refused (no route, interface down). */
  sendErrors: number;
}

interface Search {
  socket: UDP;
  found: BeaconPeer[];
  timers: TimerId[];
  done: (peers: BeaconPeer[]) => void;
  until?: (peers: BeaconPeer[]) => boolean;
}

const ANSWER_MAX_AGE_S = 1800;
/** Signatures are reused this long, so a burst of searches costs one signature. */
const RESIGN_MS = 1000;
const DRAIN_LIMIT = 64;
const VERIFIED_CACHE = 16;

/**
 * The firmware's SSDP endpoint for Beacon (ARCHITECTURE: Beacon). Portable:
 * sockets, time and crypto are injected, so the same code runs on a device,
 * inside XS in the simulator and on Node. start() listens on the SSDP port
 * joined to the group, announces (ssdp:alive every announceMs, ssdp:byebye on
 * stop) and answers searches when `self` is set; search() finds peers from an
 * ephemeral socket. Every packet for our target is verified (beacon-record.ts)
 * against its source address before a peer is recorded; a refusal goes to
 * onRefused and records nothing; other UPnP traffic is ignored.
 */
export class BeaconEndpoint {
  readonly stats: BeaconStats = { received: 0, ignored: 0, refused: 0, stale: 0, announced: 0, answered: 0, searches: 0, sendErrors: 0 };
  private readonly table: PeerTable;
  private readonly announceMs: number;
  private readonly forgetMs: number;
  private readonly group: string;
  private readonly port: number;
  private listener: UDP | undefined;
  private announceTimer: TimerId | undefined;
  private expiryTimer: TimerId | undefined;
  private readonly searches: Search[] = [];
  private signed: { at: number; headers: Record<string, string> } | undefined;
  private lastIssued = 0;
  private readonly verified = new Map<string, BeaconRecord>();

  constructor(private readonly o: BeaconEndpointOptions) {
    if (typeof o.udp !== 'function') throw new TypeError('udp must be a function (HalBackend.udp)');
    this.announceMs = o.announceMs ?? 30_000;
    this.forgetMs = o.forgetMs ?? FORGET_AFTER_MS;
    if (!(this.announceMs >= 100)) throw new RangeError(`announceMs must be at least 100, got ${this.announceMs}`);
    this.group = o.group ?? SSDP_GROUP;
    this.port = o.port ?? SSDP_PORT;
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new RangeError(`port must be 1..65535, got ${this.port}`);
    if (o.expectKey !== undefined && !(o.expectKey instanceof Uint8Array && o.expectKey.length === 32))
      throw new TypeError('expectKey must be a 32-byte public key');
    if (o.kinds !== undefined && (!Array.isArray(o.kinds) || o.kinds.some((k) => k !== 'hub' && k !== 'node')))
      throw new RangeError("kinds must list 'hub' and/or 'node'");
    this.table = new PeerTable(this.forgetMs, o.onPeer);
  }

  start(): void {
    if (this.listener) return;
    const multicast = isIpv4Multicast(this.group) ? this.group : undefined;
    const socket: UDP = this.o.udp({ port: this.port, multicast, reuseAddr: true, onReadable: () => this.drain(socket) });
    this.listener = socket;
    const every = Math.max(50, Math.min(this.forgetMs / 5, 60_000));
    const expire = (): void => {
      this.table.expire(Math.floor(this.o.time.now()));
      this.expiryTimer = this.o.time.setTimeout(expire, every);
    };
    this.expiryTimer = this.o.time.setTimeout(expire, every);
    if (this.o.self) {
      const announce = (): void => {
        this.notify('ssdp:alive');
        this.announceTimer = this.o.time.setTimeout(announce, this.announceMs);
      };
      announce();
    }
  }

  /**
   * Searches for peers: an M-SEARCH (sent twice, 100 ms apart: UDP is lossy)
   * from a fresh ephemeral socket; `done` gets every verified peer that
   * answered, after windowMs or as soon as `until` says it has what it needs.
   * stop() ends a search early (done still runs, with what was found).
   */
  search(windowMs: number, done: (peers: BeaconPeer[]) => void, until?: (peers: BeaconPeer[]) => boolean): void {
    if (!(windowMs >= 100 && windowMs <= 600_000)) throw new RangeError(`windowMs must be 100..600000, got ${windowMs}`);
    if (typeof done !== 'function') throw new TypeError('done must be a function');
    const s: Search = { socket: this.o.udp({ port: 0, onReadable: () => this.drain(s.socket, s) }), found: [], timers: [], done, until };
    this.searches.push(s);
    this.stats.searches++;
    // UDA 1.1 §1.3.2: MX 1..5; the window may be longer than the devices' delay.
    const packet = buildSearch({ st: BEACON_SEARCH_TARGET, mx: Math.min(5, Math.max(1, Math.ceil(windowMs / 1000))), host: `${this.group}:${this.port}` });
    const send = (): void => void this.send(s.socket, packet, this.group, this.port);
    send();
    s.timers.push(this.o.time.setTimeout(send, 100));
    s.timers.push(this.o.time.setTimeout(() => this.finish(s), windowMs));
  }

  /** Verified peers heard and not yet forgotten. */
  peers(): BeaconPeer[] {
    this.table.expire(Math.floor(this.o.time.now()));
    return this.table.list();
  }

  /** Says goodbye (when announcing), ends searches, closes sockets and clears timers. Twice is harmless. */
  stop(): void {
    for (const s of this.searches.slice()) this.finish(s);
    if (this.announceTimer !== undefined) this.o.time.clearTimeout(this.announceTimer);
    if (this.expiryTimer !== undefined) this.o.time.clearTimeout(this.expiryTimer);
    this.announceTimer = this.expiryTimer = undefined;
    const socket = this.listener;
    if (!socket) return;
    if (this.o.self) this.notify('ssdp:byebye');
    this.listener = undefined;
    socket.close();
  }

  private finish(s: Search): void {
    const i = this.searches.indexOf(s);
    if (i < 0) return;
    this.searches.splice(i, 1);
    for (const t of s.timers) this.o.time.clearTimeout(t);
    s.socket.close();
    s.done(s.found.slice());
  }

  /**
   * The signed headers, signed afresh unless an alive record was signed within
   * the last second. `issued` rises with every signature (receivers take only
   * newer records), so a byebye is always newer than the alive before it.
   */
  private selfHeaders(state: BeaconState = 'alive'): Record<string, string> {
    const self = this.o.self as BeaconSelf;
    const now = Math.floor(this.o.time.now());
    if (state === 'alive' && this.signed && now - this.signed.at < RESIGN_MS && now >= this.signed.at) return this.signed.headers;
    const issued = Math.max(now, this.lastIssued + 1);
    this.lastIssued = issued;
    const { headers } = signBeacon({ ...self.fields, issued }, self.identity, this.o.crypto, state);
    if (state === 'alive') this.signed = { at: now, headers };
    return headers;
  }

  private usn(): string {
    return `uuid:fazt-${(this.o.self as BeaconSelf).identity.id}::${BEACON_SEARCH_TARGET}`;
  }

  private location(): string | undefined {
    const f = (this.o.self as BeaconSelf).fields;
    return f.addresses.length && f.port ? `http://${f.addresses[0]}:${f.port}/v1/beacon` : undefined;
  }

  private server(): string {
    return `fazt/${(this.o.self as BeaconSelf).fields.version} UPnP/1.1 fazt-beacon/1`;
  }

  private notify(nts: 'ssdp:alive' | 'ssdp:byebye'): void {
    const socket = this.listener;
    if (!socket) return;
    const alive = nts === 'ssdp:alive';
    const packet = buildNotify({
      nts,
      nt: BEACON_SEARCH_TARGET,
      usn: this.usn(),
      host: `${this.group}:${this.port}`,
      location: alive ? this.location() : undefined,
      maxAge: alive ? ANSWER_MAX_AGE_S : undefined,
      server: alive ? this.server() : undefined,
      // A byebye carries its own signed record (state bye, newer than any alive): a captured alive cannot be turned into one.
      headers: this.selfHeaders(alive ? 'alive' : 'bye'),
    });
    if (this.send(socket, packet, this.group, this.port) && alive) this.stats.announced++;
  }

  private send(socket: UDP, bytes: Uint8Array, address: string, port: number): boolean {
    try {
      socket.write(bytes, address, port);
      return true;
    } catch (e) {
      if (!(e instanceof FaztError)) throw e;
      this.stats.sendErrors++;
      return false;
    }
  }

  private drain(socket: UDP, search?: Search): void {
    for (let n = 0; n < DRAIN_LIMIT; n++) {
      if (search ? this.searches.indexOf(search) < 0 : this.listener !== socket) return;
      let d;
      try {
        d = socket.read();
      } catch (e) {
        if (e instanceof FaztError) return; // closed under us
        throw e;
      }
      if (!d) return;
      this.received(socket, d.bytes, d.address, d.port, search);
    }
    // More waiting than one turn should take: come back for the rest.
    this.o.time.setTimeout(() => this.drain(socket, search), 0);
  }

  private received(socket: UDP, bytes: Uint8Array, address: string, port: number, search?: Search): void {
    this.stats.received++;
    let m: SsdpMessage;
    try {
      m = parseSsdp(bytes);
    } catch (e) {
      if (!(e instanceof FaztError)) throw e;
      this.refuse(e, address);
      return;
    }
    if (m.kind === 'search') {
      if (!search && this.o.self && (m.st === BEACON_SEARCH_TARGET || m.st === SSDP_ALL)) {
        const answer = buildResponse({
          st: BEACON_SEARCH_TARGET,
          usn: this.usn(),
          location: this.location(),
          maxAge: ANSWER_MAX_AGE_S,
          server: this.server(),
          headers: this.selfHeaders(),
        });
        if (this.send(socket, answer, address, port)) this.stats.answered++;
      } else this.stats.ignored++;
      return;
    }
    const target = m.kind === 'notify' ? m.nt : m.st;
    if (target !== BEACON_SEARCH_TARGET || (m.kind === 'notify' && m.nts !== 'ssdp:alive' && m.nts !== 'ssdp:byebye')) {
      this.stats.ignored++;
      return;
    }
    const own = this.signed && m.headers[BEACON_HEADER] === this.signed.headers[BEACON_HEADER];
    const record = own ? undefined : this.verify(m.headers, address, m.kind === 'notify' && m.nts === 'ssdp:byebye' ? 'bye' : 'alive');
    if (record === null) return; // refused
    if (!record || (this.o.self && record.id === this.o.self.identity.id) || (this.o.kinds && this.o.kinds.indexOf(record.kind) < 0)) {
      this.stats.ignored++;
      return;
    }
    if (m.kind === 'notify' && m.nts === 'ssdp:byebye') {
      if (!this.table.left(record)) this.stats.stale++;
      return;
    }
    const { peer, fresh } = this.table.heard(record, address, Math.floor(this.o.time.now()));
    if (!fresh) this.stats.stale++;
    // A search lists a peer that answered even when its record is the one held (answers repeat the latest).
    if (peer && search && m.kind === 'response') {
      const k = search.found.findIndex((p) => p.record.id === peer.record.id);
      if (k >= 0) search.found[k] = peer;
      else search.found.push(peer);
      if (search.until && search.until(search.found.slice())) this.finish(search);
    }
  }

  /** The verified record; undefined when the packet is not a Fazt beacon at all; null when it was refused. */
  private verify(headers: SsdpHeaders, address: string, state: BeaconState): BeaconRecord | undefined | null {
    const key = `${state} ${address} ${headers[BEACON_HEADER] ?? ''} ${headers[BEACON_SIG_HEADER] ?? ''}`;
    const cached = this.verified.get(key);
    if (cached) return cached;
    try {
      const record = verifyBeacon(headers, address, this.o.crypto, this.o.expectKey, state);
      if (this.verified.size >= VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(key, record);
      return record;
    } catch (e) {
      if (!(e instanceof FaztError)) throw e;
      if (e instanceof BeaconError && e.code === 'beacon-missing') return undefined; // another UPnP device using our target
      this.refuse(e, address);
      return null;
    }
  }

  private refuse(e: FaztError, address: string): void {
    this.stats.refused++;
    this.o.onRefused?.(e, address);
  }
}
