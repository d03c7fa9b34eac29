import type { HalTime, TimerId } from '../../hal/contracts/time.js';
import { BEACON_SEARCH_TARGET } from './beacon-record.js';
import type { SelfAdvert } from './self-advert.js';
import { buildNotify } from './ssdp-message.js';

/** ssdp:alive every 30 s (ARCHITECTURE: Beacon). */
const ANNOUNCE_MS = 30_000;

/** The announcement interval, checked: `ms` or the default. */
export function announceInterval(ms: number = ANNOUNCE_MS): number {
  if (!(ms >= 100)) throw new RangeError(`announceMs must be at least 100, got ${ms}`);
  return ms;
}

export interface BeaconAnnouncerOptions {
  advert: SelfAdvert;
  time: HalTime;
  announceMs: number;
  /** The group and port, as NOTIFY's HOST header names them. */
  host: string;
  /** Sends a packet to the group; false when the network refused it. */
  send: (packet: Uint8Array) => boolean;
  /** An ssdp:alive went out. */
  onAnnounced: () => void;
}

/**
 * Announces an endpoint on its group (UDA 1.1 §1.2): ssdp:alive at start and
 * every announceMs, ssdp:byebye on stop. Each NOTIFY carries the signed
 * record of SelfAdvert; a byebye carries its own (state bye).
 */
export class BeaconAnnouncer {
  private timer: TimerId | undefined;

  constructor(private readonly o: BeaconAnnouncerOptions) {}

  start(): void {
    const announce = (): void => {
      this.notify('ssdp:alive');
      this.timer = this.o.time.setTimeout(announce, this.o.announceMs);
    };
    announce();
  }

  /** Stops the announcements and says goodbye. */
  stop(): void {
    if (this.timer !== undefined) this.o.time.clearTimeout(this.timer);
    this.timer = undefined;
    this.notify('ssdp:byebye');
  }

  private notify(nts: 'ssdp:alive' | 'ssdp:byebye'): void {
    const { advert } = this.o;
    const alive = nts === 'ssdp:alive';
    const packet = buildNotify({
      nts,
      nt: BEACON_SEARCH_TARGET,
      usn: advert.usn,
      host: this.o.host,
      location: alive ? advert.location : undefined,
      maxAge: alive ? advert.maxAge : undefined,
      server: alive ? advert.server : undefined,
      headers: advert.headers(alive ? 'alive' : 'bye'),
    });
    if (this.o.send(packet) && alive) this.o.onAnnounced();
  }
}
