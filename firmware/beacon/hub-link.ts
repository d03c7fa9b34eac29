import { utf8Encode } from '../codec/utf8.js';
import { toHex } from '../codec/text-encodings.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { enrollRequest } from '../node/enroll-request.js';
import { replyObject, uplinkResult, type Transport, type UplinkResult } from '../uplink/transport.js';
import type { HttpPost } from '../../hal/contracts/http.js';
import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import type { HalTime, TimerId } from '../../hal/contracts/time.js';
import type { BeaconPeer } from './peer-table.js';
import { BeaconEndpoint, type BeaconSelf } from './ssdp-endpoint.js';

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
  /**
   * Enrol with this invite token at the first hub found; leave it out when
   * already enrolled. `persistent`: the token outlives the enrolment (a
   * device keeps it in flash and restarts with it), so an invite-used answer
   * may be this node's own earlier enrolment: the link reports the refusal,
   * then uplinks; an acknowledgement settles the enrolment, a refused uplink
   * (unknown-node: someone else used the invite) sends it back to searching.
   */
  enrol?: { token: string; name?: string; board?: string; persistent?: boolean };
  /** Announce this node too (its record needs the addresses it sends from). */
  self?: BeaconSelf['fields'];
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

const MAX_RETRY_MS = 60_000;

/**
 * The node's way to its hub without a configured address (ARCHITECTURE:
 * Beacon): search the LAN for a beacon signed by the hub's key (the invite
 * carries it), enrol there with the invite, then carry the node's uplink to
 * that URL. It is the NodeApp's Transport: a batch offered before a hub is
 * known waits for one. A byebye, a silence, a refusal or a run of unanswered
 * uplinks sends it back to searching. Portable: sockets, time and HTTP are injected.
 * A node that is already enrolled (no `enrol`) goes straight to uplinking.
 */
export class HubLink implements Transport {
  readonly beacon: BeaconEndpoint;
  private st: HubLinkState = 'idle';
  private hub: BeaconPeer | undefined;
  private enrolment: HubLinkOptions['enrol'];
  private held: { batch: Uint8Array; done: (r: UplinkResult) => void } | undefined;
  private timer: TimerId | undefined;
  private failures = 0;
  /** Linked on an invite-used answer (persistent token): the first acknowledgement confirms the enrolment. */
  private unconfirmed = false;
  /** Which search round is current: a late answer to an older one is ignored. */
  private round = 0;
  private retry: number;
  private readonly hubKeyHex: string;
  private readonly noted = new Set<string>();

  constructor(private readonly o: HubLinkOptions) {
    if (!(o.hubKey instanceof Uint8Array) || o.hubKey.length !== 32) throw new TypeError('hubKey must be a 32-byte public key');
    if (typeof o.http !== 'function') throw new TypeError('http must be a function');
    this.hubKeyHex = toHex(o.hubKey);
    this.enrolment = o.enrol;
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
      onPeer: (peer, change) => this.onPeer(peer, change),
      onRefused: (e, address) => {
        // Another hub on the LAN is not news after the first time.
        const key = `${e.code} ${address}`;
        if (e.code === 'beacon-unexpected-key' && this.noted.has(key)) return;
        if (this.noted.size < 64) this.noted.add(key);
        this.emit({ event: 'refused', stage: 'beacon', code: e.code, message: e.message, address });
      },
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
    this.beacon.start();
    this.emit({ event: 'searching' });
    this.search();
  }

  stop(): void {
    if (this.st === 'stopped') return;
    this.st = 'stopped';
    this.clearTimer();
    this.beacon.stop();
    const h = this.held;
    this.held = undefined;
    h?.done({ ok: false, refused: false, message: 'the node is stopping' });
  }

  send(batch: Uint8Array, done: (result: UplinkResult) => void): void {
    if (this.st === 'stopped') return done({ ok: false, refused: false, message: 'the node is stopping' });
    if (this.st !== 'linked') {
      this.held?.done({ ok: false, refused: false, message: 'superseded while no hub was known' });
      this.held = { batch, done };
      return;
    }
    this.post(batch, done);
  }

  private emit(e: HubLinkEvent): void {
    this.o.onEvent?.(e);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.o.time.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private search(): void {
    this.clearTimer();
    this.st = 'searching';
    const round = ++this.round;
    this.beacon.search(
      this.o.searchWindowMs ?? 3000,
      (peers) => {
        if (this.st !== 'searching' || round !== this.round) return; // an announcement found the hub first, or we stopped
        if (peers.length) this.use(peers[0]);
        else this.later();
      },
      (peers) => peers.length > 0,
    );
  }

  /** Searches again after the retry delay, which doubles while nothing works. */
  private later(): void {
    this.st = 'waiting';
    this.clearTimer();
    const wait = this.retry;
    this.retry = Math.min(this.retry * 2, MAX_RETRY_MS);
    this.timer = this.o.time.setTimeout(() => {
      this.timer = undefined;
      this.search();
    }, wait);
  }

  private onPeer(peer: BeaconPeer, change: string): void {
    if (change === 'found' || change === 'updated') {
      if (this.st === 'searching' || this.st === 'waiting') this.use(peer);
      else if (this.st === 'linked' && this.hub && this.hub.record.id === peer.record.id) this.hub = peer; // it may have moved
    } else if (this.hub && peer.record.id === this.hub.record.id && (this.st === 'linked' || this.st === 'enrolling')) {
      this.lose(change === 'left' ? 'the hub said goodbye' : 'the hub fell silent', true);
    }
  }

  private use(peer: BeaconPeer): void {
    this.clearTimer();
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

  private enrol(peer: BeaconPeer, e: NonNullable<HubLinkOptions['enrol']>): void {
    this.st = 'enrolling';
    const body = utf8Encode(JSON.stringify(enrollRequest(e.token, this.o.identity, this.o.crypto, { name: e.name, board: e.board })));
    this.o.http(`${peer.url}/v1/enroll`, 'application/json', body, (reply) => {
      if (this.st !== 'enrolling' || this.hub !== peer) return;
      if ('error' in reply) return this.lose(reply.error, false);
      const parsed = replyObject(reply.body) as { node?: unknown; hub?: { publicKey?: unknown }; error?: { code?: unknown; message?: unknown } };
      if (reply.status === 200 && typeof parsed.node === 'string') {
        if (!parsed.hub || parsed.hub.publicKey !== this.hubKeyHex) {
          this.emit({ event: 'refused', stage: 'enroll', code: 'hub-key-mismatch', message: `the hub at ${peer.url} enrolled us under another key` });
          return this.lose('wrong hub key', false);
        }
        this.enrolment = undefined;
        this.retry = this.o.retryMs ?? 5000;
        this.emit({ event: 'enrolled', node: parsed.node, hub: peer.record.id });
        return this.link();
      }
      const err = parsed.error ?? {};
      const code = typeof err.code === 'string' ? err.code : `http-${reply.status}`;
      this.emit({ event: 'refused', stage: 'enroll', code, message: typeof err.message === 'string' ? err.message : `HTTP ${reply.status}` });
      if (code === 'invite-used' && e.persistent) {
        this.unconfirmed = true; // perhaps by us, before a restart: the uplink will tell
        return this.link();
      }
      this.lose(`enrolment refused (HTTP ${reply.status})`, false);
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
    this.o.http(`${hub.url}/v1/uplink`, 'application/cbor', batch, (reply) => {
      const result: UplinkResult = 'error' in reply ? { ok: false, refused: false, message: reply.error } : uplinkResult(reply.status, reply.body);
      if (this.st === 'linked' && this.hub && this.hub.record.id === hub.record.id) {
        if (result.ok) {
          if (this.unconfirmed) this.enrolment = undefined; // the hub knows us: the invite was ours
          this.unconfirmed = false;
          this.failures = 0;
          this.retry = this.o.retryMs ?? 5000;
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
