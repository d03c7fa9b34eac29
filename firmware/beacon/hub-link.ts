import type { HttpPost } from '../../hal/contracts/http.js';
import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import type { HalTime } from '../../hal/contracts/time.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';
import type { ChunkResult, Transport, UplinkResult } from '../uplink/transport.js';
import type { BeaconFields } from './beacon-record.js';
import { HubClient, type HubInvite } from './hub-client.js';
import { HubFinder } from './hub-finder.js';
import type { BeaconPeer, PeerChange } from './peer-table.js';

export type HubLinkEvent =
  | { event: 'searching' }
  | { event: 'found'; hub: string; url: string }
  | { event: 'enrolled'; node: string; hub: string }
  | { event: 'acked'; ack: number; stored: number }
  | { event: 'refused'; stage: 'beacon' | 'enroll' | 'uplink'; code: string; message: string; address?: string }
  | { event: 'lost'; hub: string; reason: string };

export type HubLinkState = 'idle' | 'searching' | 'waiting' | 'enrolling' | 'linked' | 'stopped';

export interface HubLinkOptions {
  udp: (options: UdpOptions) => UDP;
  time: HalTime;
  crypto: CryptoProvider;
  identity: NodeIdentity;
  /** The hub's public key (from the invite): only a beacon signed by it is followed. */
  hubKey: Uint8Array;
  http: HttpPost;
  /** Enrol with this invite at the first hub found; leave it out when already enrolled. */
  enrol?: HubInvite;
  /** Announce this node too (its record needs the addresses it sends from). */
  self?: BeaconFields;
  /** SSDP group and port (239.255.255.250:1900; tests move them). */
  group?: string;
  port?: number;
  /** How long one search listens (default 3 s). */
  searchWindowMs?: number;
  /** Wait after a search that found nothing or a refusal, doubling to 60 s (default 5 s). */
  retryMs?: number;
  /** Unanswered uplinks in a row before the hub counts as gone (default 3). */
  maxFailures?: number;
  forgetMs?: number;
  onEvent?: (event: HubLinkEvent) => void;
}

/**
 * The node's way to its hub without a configured address (ARCHITECTURE:
 * Beacon): search the LAN for a beacon signed by the hub's key, which the
 * invite carries (hub-finder.ts), enrol there with the invite, then carry
 * the node's uplink to that URL (hub-client.ts). It is the NodeApp's
 * Transport: a batch offered before a hub is known waits for one. A byebye,
 * a silence, a refusal or a run of unanswered uplinks sends it back to
 * searching. Portable: sockets, time and HTTP are injected. A node that is
 * already enrolled (no `enrol`) goes straight to uplinking.
 */
export class HubLink implements Transport {
  private readonly finder: HubFinder;
  private readonly client: HubClient;
  private st: HubLinkState = 'idle';
  private hub: BeaconPeer | undefined;
  private enrolment: HubInvite | undefined;
  private held: { batch: Uint8Array; done: (r: UplinkResult) => void } | undefined;
  private failures = 0;
  /** Linked on an invite-used answer (persistent token): the first acknowledgement confirms the enrolment. */
  private unconfirmed = false;

  constructor(private readonly o: HubLinkOptions) {
    if (!(o.hubKey instanceof Uint8Array) || o.hubKey.length !== 32) throw new TypeError('hubKey must be a 32-byte public key');
    if (typeof o.http !== 'function') throw new TypeError('http must be a function');
    this.enrolment = o.enrol;
    this.client = new HubClient(o.http, o.identity, o.crypto, o.hubKey);
    this.finder = new HubFinder({
      ...o,
      onPeer: (peer, change) => this.onPeer(peer, change),
      onRefused: (e, address) => this.emit({ event: 'refused', stage: 'beacon', code: e.code, message: e.message, address }),
    });
  }

  get state(): HubLinkState {
    return this.st;
  }

  /** The hub's URL while linked. */
  get url(): string | undefined {
    return this.st === 'linked' && this.hub ? this.hub.url : undefined;
  }

  get enrolled(): boolean {
    return this.enrolment === undefined;
  }

  start(): void {
    if (this.st !== 'idle') return;
    this.finder.start();
    this.emit({ event: 'searching' });
    this.search();
  }

  stop(): void {
    if (this.st === 'stopped') return;
    this.st = 'stopped';
    this.finder.stop();
    const h = this.held;
    this.held = undefined;
    h?.done({ ok: false, refused: false, message: 'the node is stopping' });
  }

  send(batch: Uint8Array, done: (result: UplinkResult) => void): void {
    if (this.st === 'stopped') {
      done({ ok: false, refused: false, message: 'the node is stopping' });
      return;
    }
    if (this.st !== 'linked') {
      this.held?.done({ ok: false, refused: false, message: 'superseded while no hub was known' });
      this.held = { batch, done };
      return;
    }
    this.post(batch, done);
  }

  /** A firmware chunk from the hub linked now; none linked is a retryable failure (the updater retries, then gives up). */
  chunk(request: Uint8Array, done: (result: ChunkResult) => void): void {
    const url = this.url;
    if (url === undefined) done({ ok: false, refused: false, message: 'no hub is linked' });
    else this.client.chunk(url, request, done);
  }

  private emit(e: HubLinkEvent): void {
    this.o.onEvent?.(e);
  }

  private search(): void {
    this.st = 'searching';
    this.finder.search((hub) => {
      if (this.st !== 'searching') return; // an announcement found the hub first, or we stopped
      if (hub) this.use(hub);
      else this.later();
    });
  }

  /** Searches again after the retry delay, which doubles while nothing works. */
  private later(): void {
    this.st = 'waiting';
    this.finder.later(() => this.search());
  }

  private onPeer(peer: BeaconPeer, change: PeerChange): void {
    if (change === 'found' || change === 'updated') {
      if (this.st === 'searching' || this.st === 'waiting') this.use(peer);
      else if (this.st === 'linked' && this.hub && this.hub.record.id === peer.record.id) this.hub = peer; // it may have moved
    } else if (this.hub && peer.record.id === this.hub.record.id && (this.st === 'linked' || this.st === 'enrolling')) {
      this.lose(change === 'left' ? 'the hub said goodbye' : 'the hub fell silent', true);
    }
  }

  private use(peer: BeaconPeer): void {
    this.finder.cancel();
    this.hub = peer;
    this.unconfirmed = false;
    this.emit({ event: 'found', hub: peer.record.id, url: peer.url });
    if (this.enrolment) this.enrol(peer, this.enrolment);
    else this.link();
  }

  private lose(reason: string, searchNow: boolean): void {
    const hub = this.hub;
    this.hub = undefined;
    this.failures = 0;
    if (hub) this.emit({ event: 'lost', hub: hub.record.id, reason });
    this.emit({ event: 'searching' });
    if (searchNow) this.search();
    else this.later();
  }

  private enrol(peer: BeaconPeer, invite: HubInvite): void {
    this.st = 'enrolling';
    this.client.enrol(peer.url, invite, (r) => {
      if (this.st !== 'enrolling' || this.hub !== peer) return;
      if (r.ok) {
        this.enrolment = undefined;
        this.finder.reset();
        this.emit({ event: 'enrolled', node: r.node, hub: peer.record.id });
        return this.link();
      }
      if (!r.refused) return this.lose(r.reason, false);
      this.emit({ event: 'refused', stage: 'enroll', code: r.code, message: r.message });
      if (r.code === 'invite-used' && invite.persistent) {
        this.unconfirmed = true; // perhaps by us, before a restart: the uplink will tell
        return this.link();
      }
      this.lose(r.reason, false);
    });
  }

  /**
   * Linked. A batch that waited for the hub is answered "send again" rather
   * than sent: the Uplink times each exchange to take the hub's clock from
   * the answer, and the wait was no round trip. It resends at once
   * (retryAfterMs 0): the backoff it built while the hub was away no longer
   * applies.
   */
  private link(): void {
    this.st = 'linked';
    this.failures = 0;
    const h = this.held;
    this.held = undefined;
    h?.done({ ok: false, refused: false, message: `found the hub at ${(this.hub as BeaconPeer).url}: send again`, retryAfterMs: 0 });
  }

  private post(batch: Uint8Array, done: (result: UplinkResult) => void): void {
    const hub = this.hub as BeaconPeer;
    this.client.uplink(hub.url, batch, (result) => {
      if (this.st === 'linked' && this.hub && this.hub.record.id === hub.record.id) {
        if (result.ok) {
          if (this.unconfirmed) this.enrolment = undefined; // the hub knows us: the invite was ours
          this.unconfirmed = false;
          this.failures = 0;
          this.finder.reset();
          this.emit({ event: 'acked', ack: result.ack.ack, stored: result.ack.stored });
        } else if (result.refused) {
          this.emit({ event: 'refused', stage: 'uplink', code: result.code, message: result.message });
          this.lose(`uplink refused (${result.code})`, false);
        } else if (++this.failures >= (this.o.maxFailures ?? 3)) this.lose(result.message, true);
      }
      done(result);
    });
  }
}
