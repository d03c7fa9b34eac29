import { isIpv4Multicast } from '../../hal/contracts/check-udp-options.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import type { HalTime, TimerId } from '../../hal/contracts/time.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { announceInterval, BeaconAnnouncer } from './beacon-announcer.js';
import type { BeaconRecord } from './beacon-record.js';
import { BeaconReceiver } from './beacon-receiver.js';
import { BeaconSearch } from './beacon-search.js';
import { FORGET_AFTER_MS, PeerTable, type BeaconPeer, type PeerChange } from './peer-table.js';
import { answerSearch } from './search-answer.js';
import { SelfAdvert, type BeaconSelf } from './self-advert.js';
import { parseSsdp, SSDP_GROUP, SSDP_PORT, type SsdpMessage } from './ssdp-message.js';
import { drainUdp } from './udp-drain.js';

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
  kinds?: BeaconRecord['kind'][];
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

/**
 * The firmware's SSDP endpoint for Beacon (ARCHITECTURE: Beacon). Portable:
 * sockets, time and crypto are injected, so the same code runs on a device,
 * inside XS in the simulator and on Node. start() listens on the SSDP port
 * joined to the group, announces (beacon-announcer.ts) and answers searches
 * (search-answer.ts) when `self` is set; search() finds peers from an
 * ephemeral socket (beacon-search.ts). Every packet for our target is
 * verified against its source address before a peer is recorded
 * (beacon-receiver.ts); a refusal goes to onRefused and records nothing;
 * other UPnP traffic is ignored.
 */
export class BeaconEndpoint {
  readonly stats: BeaconStats = { received: 0, ignored: 0, refused: 0, stale: 0, announced: 0, answered: 0, searches: 0, sendErrors: 0 };
  private readonly table: PeerTable;
  private readonly receiver: BeaconReceiver;
  private readonly advert: SelfAdvert | undefined;
  private readonly announceMs: number;
  private readonly group: string;
  private readonly port: number;
  private listener: UDP | undefined;
  private announcer: BeaconAnnouncer | undefined;
  private expiryTimer: TimerId | undefined;
  private readonly searches: BeaconSearch[] = [];

  constructor(private readonly o: BeaconEndpointOptions) {
    if (typeof o.udp !== 'function') throw new TypeError('udp must be a function (HalBackend.udp)');
    this.announceMs = announceInterval(o.announceMs);
    this.group = o.group ?? SSDP_GROUP;
    this.port = o.port ?? SSDP_PORT;
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new RangeError(`port must be 1..65535, got ${this.port}`);
    if (o.expectKey !== undefined && !(o.expectKey instanceof Uint8Array && o.expectKey.length === 32))
      throw new TypeError('expectKey must be a 32-byte public key');
    if (o.kinds !== undefined && (!Array.isArray(o.kinds) || o.kinds.some((k) => k !== 'hub' && k !== 'node')))
      throw new RangeError("kinds must list 'hub' and/or 'node'");
    this.table = new PeerTable(o.forgetMs ?? FORGET_AFTER_MS, o.onPeer);
    this.advert = o.self ? new SelfAdvert(o.self, o.crypto, o.time) : undefined;
    this.receiver = new BeaconReceiver({
      crypto: o.crypto,
      table: this.table,
      now: () => o.time.now(),
      selfId: this.advert?.id,
      expectKey: o.expectKey,
      kinds: o.kinds,
      onRefused: (e, address) => this.refuse(e, address),
    });
  }

  start(): void {
    if (this.listener) return;
    const multicast = isIpv4Multicast(this.group) ? this.group : undefined;
    const socket: UDP = this.o.udp({ port: this.port, multicast, reuseAddr: true, onReadable: () => this.drain(socket) });
    this.listener = socket;
    const expire = (): void => {
      this.table.expire(Math.floor(this.o.time.now()));
      this.expiryTimer = this.o.time.setTimeout(expire, this.table.expireEveryMs);
    };
    this.expiryTimer = this.o.time.setTimeout(expire, this.table.expireEveryMs);
    if (this.advert) {
      this.announcer = new BeaconAnnouncer({
        advert: this.advert,
        time: this.o.time,
        announceMs: this.announceMs,
        host: `${this.group}:${this.port}`,
        send: (packet) => this.send(socket, packet, this.group, this.port),
        onAnnounced: () => void this.stats.announced++,
      });
      this.announcer.start();
    }
  }

  /**
   * Searches for peers: an M-SEARCH (sent twice, 100 ms apart: UDP is lossy)
   * from a fresh ephemeral socket; `done` gets every verified peer that
   * answered, after windowMs or as soon as `until` says it has what it needs.
   * stop() ends a search early (done still runs, with what was found).
   */
  search(windowMs: number, done: (peers: BeaconPeer[]) => void, until?: (peers: BeaconPeer[]) => boolean): void {
    const search = new BeaconSearch({
      udp: this.o.udp,
      time: this.o.time,
      windowMs,
      group: this.group,
      port: this.port,
      send: (socket, bytes, address, port) => this.send(socket, bytes, address, port),
      onReadable: (s) => this.drain(s.socket, s),
      onEnd: (s) => {
        const i = this.searches.indexOf(s);
        if (i >= 0) this.searches.splice(i, 1);
      },
      done,
      until,
    });
    if (search.open) this.searches.push(search);
    this.stats.searches++;
  }

  /** Verified peers heard and not yet forgotten. */
  peers(): BeaconPeer[] {
    this.table.expire(Math.floor(this.o.time.now()));
    return this.table.list();
  }

  /** Says goodbye (when announcing), ends searches, closes sockets and clears timers. Twice is harmless. */
  stop(): void {
    for (const s of this.searches.slice()) s.finish();
    if (this.expiryTimer !== undefined) this.o.time.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.announcer?.stop();
    this.announcer = undefined;
    const socket = this.listener;
    if (!socket) return;
    this.listener = undefined;
    socket.close();
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

  /** Reads the listener's or a search's datagrams while it is open. */
  private drain(socket: UDP, search?: BeaconSearch): void {
    const open = () => (search ? search.open : this.listener === socket);
    drainUdp(socket, this.o.time, open, (d) => this.received(socket, d.bytes, d.address, d.port, search));
  }

  private received(socket: UDP, bytes: Uint8Array, address: string, port: number, search?: BeaconSearch): void {
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
      // Searches are answered from the SSDP port only, and only when we announce.
      const answer = !search && this.advert ? answerSearch(this.advert, m.st) : undefined;
      if (answer) {
        if (this.send(socket, answer, address, port)) this.stats.answered++;
      } else this.stats.ignored++;
      return;
    }
    const bye = m.kind === 'notify' && m.nts === 'ssdp:byebye';
    if ((m.kind === 'notify' && !bye && m.nts !== 'ssdp:alive') || (this.advert && this.advert.isOwn(m.headers))) {
      this.stats.ignored++;
      return;
    }
    const r = this.receiver.receive(m.kind === 'notify' ? m.nt : m.st, m.headers, address, bye ? 'bye' : 'alive');
    if (r.outcome === 'ignored') this.stats.ignored++;
    if (r.outcome === 'ignored' || r.outcome === 'refused') return;
    if (!r.fresh) this.stats.stale++;
    // A search lists a peer that answered even when its record is the one held (answers repeat the latest).
    if (r.outcome === 'heard' && r.peer && search && m.kind === 'response') search.answered(r.peer);
  }

  private refuse(e: FaztError, address: string): void {
    this.stats.refused++;
    this.o.onRefused?.(e, address);
  }
}
