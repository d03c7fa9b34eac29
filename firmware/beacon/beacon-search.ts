import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import type { HalTime, TimerId } from '../../hal/contracts/time.js';
import { BEACON_SEARCH_TARGET } from './beacon-record.js';
import type { BeaconPeer } from './peer-table.js';
import { buildSearch } from './ssdp-message.js';

export interface BeaconSearchOptions {
  udp: (options: UdpOptions) => UDP;
  time: HalTime;
  /** How long to listen for answers: 100 ms to 10 min. */
  windowMs: number;
  group: string;
  port: number;
  /** Writes a packet; false when the network refused it. */
  send: (socket: UDP, bytes: Uint8Array, address: string, port: number) => boolean;
  /** The search's socket has datagrams to read (the endpoint reads, verifies and calls answered()). */
  onReadable: (search: BeaconSearch) => void;
  /** The search has ended (its window closed, `until` held, or finish() was called); before `done` runs. */
  onEnd: (search: BeaconSearch) => void;
  /** Every verified peer that answered. */
  done: (peers: BeaconPeer[]) => void;
  /** Ends the search early once it holds. */
  until?: (peers: BeaconPeer[]) => boolean;
}

/**
 * One search for Fazt beacons (UDA 1.1 §1.3.2): an M-SEARCH from a fresh
 * ephemeral socket, sent twice 100 ms apart (UDP is lossy), collecting the
 * verified peers that answer until the window closes or `until` says it has
 * what it needs.
 */
export class BeaconSearch {
  readonly socket: UDP;
  private readonly found: BeaconPeer[] = [];
  private readonly timers: TimerId[] = [];
  private ended = false;

  constructor(private readonly o: BeaconSearchOptions) {
    if (!(o.windowMs >= 100 && o.windowMs <= 600_000)) throw new RangeError(`windowMs must be 100..600000, got ${o.windowMs}`);
    if (typeof o.done !== 'function') throw new TypeError('done must be a function');
    this.socket = o.udp({ port: 0, onReadable: () => o.onReadable(this) });
    // UDA 1.1 §1.3.2: MX 1..5; the window may be longer than the devices' delay.
    const packet = buildSearch({ st: BEACON_SEARCH_TARGET, mx: Math.min(5, Math.max(1, Math.ceil(o.windowMs / 1000))), host: `${o.group}:${o.port}` });
    const send = (): void => void o.send(this.socket, packet, o.group, o.port);
    send();
    this.timers.push(o.time.setTimeout(send, 100));
    this.timers.push(o.time.setTimeout(() => this.finish(), o.windowMs));
  }

  get open(): boolean {
    return !this.ended;
  }

  /** A verified peer answered: listed once, as last heard (answers repeat the latest record, which the table may already hold). */
  answered(peer: BeaconPeer): void {
    const k = this.found.findIndex((p) => p.record.id === peer.record.id);
    if (k >= 0) this.found[k] = peer;
    else this.found.push(peer);
    if (this.o.until && this.o.until(this.found.slice())) this.finish();
  }

  /** Ends the search now: timers cleared, socket closed, `done` given what was found. Twice is harmless. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.timers) this.o.time.clearTimeout(t);
    this.socket.close();
    this.o.onEnd(this);
    this.o.done(this.found.slice());
  }
}
