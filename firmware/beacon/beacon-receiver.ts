import { FaztError } from '../../hal/contracts/errors.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { BEACON_HEADER, BEACON_SEARCH_TARGET, BEACON_SIG_HEADER, verifyBeacon, type BeaconRecord, type BeaconState } from './beacon-record.js';
import type { BeaconPeer, PeerTable } from './peer-table.js';

export interface BeaconReceiverOptions {
  crypto: CryptoProvider;
  /** Where verified peers go. */
  table: PeerTable;
  /** Whole milliseconds are taken from it for a peer's first and last seen. */
  now: () => number;
  /** Our own id: our records, looped back, are ignored. */
  selfId?: string;
  /** Trust only records signed by this key. */
  expectKey?: Uint8Array;
  /** Record only these kinds (default both). */
  kinds?: BeaconRecord['kind'][];
  /** A packet that claimed to be a Fazt beacon and was not (forged, copied, a foreign key). */
  onRefused: (error: FaztError, address: string) => void;
}

/**
 * What one packet did. ignored: not for us (another target, another UPnP
 * device on ours, our own record, a kind not wanted); refused: reported to
 * onRefused, nothing recorded; left or heard: a verified record, `fresh`
 * when it was newer than the one held (else a repeat or a replay, which
 * changed nothing).
 */
export type Reception =
  | { outcome: 'ignored' }
  | { outcome: 'refused' }
  | { outcome: 'left'; record: BeaconRecord; fresh: boolean }
  | { outcome: 'heard'; record: BeaconRecord; peer: BeaconPeer | undefined; fresh: boolean };

/** Verifications remembered, so the repeats of one packet (UDP is sent twice, answers repeat) cost one signature check. */
const VERIFIED_CACHE = 16;

/**
 * Takes the beacon packets an SSDP endpoint receives (NOTIFY alive and
 * byebye, search answers) into its peer table, each verified first
 * (beacon-record.ts) against the address it came from. Shared by the hub's
 * beacon (node-ssdp) and the firmware's SSDP endpoint; both give header names
 * in upper case.
 */
export class BeaconReceiver {
  private readonly verified = new Map<string, BeaconRecord>();

  constructor(private readonly o: BeaconReceiverOptions) {}

  /** A packet for `target` from `address`, saying `state` (alive for NOTIFY alive and answers, bye for byebye). */
  receive(target: string | undefined, headers: Record<string, string>, address: string, state: BeaconState): Reception {
    if (target !== BEACON_SEARCH_TARGET) return { outcome: 'ignored' };
    const record = this.verify(headers, address, state);
    if (record === null) return { outcome: 'refused' };
    if (!record || record.id === this.o.selfId || (this.o.kinds && this.o.kinds.indexOf(record.kind) < 0)) return { outcome: 'ignored' };
    if (state === 'bye') return { outcome: 'left', record, fresh: this.o.table.left(record) };
    const { peer, fresh } = this.o.table.heard(record, address, Math.floor(this.o.now()));
    return { outcome: 'heard', record, peer, fresh };
  }

  /** The verified record; undefined when the packet is not a Fazt beacon at all; null when it was refused. */
  private verify(headers: Record<string, string>, address: string, state: BeaconState): BeaconRecord | undefined | null {
    const text = headers[BEACON_HEADER];
    const sig = headers[BEACON_SIG_HEADER];
    const key = text !== undefined && sig !== undefined ? `${state} ${address} ${text} ${sig}` : undefined;
    const cached = key === undefined ? undefined : this.verified.get(key);
    if (cached) return cached;
    try {
      const record = verifyBeacon(headers, address, this.o.crypto, this.o.expectKey, state);
      if (key !== undefined) {
        if (this.verified.size >= VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value as string);
        this.verified.set(key, record);
      }
      return record;
    } catch (e) {
      if (!(e instanceof FaztError)) throw e;
      if (e.code === 'beacon-missing') return undefined; // another UPnP device using our target
      this.o.onRefused(e, address);
      return null;
    }
  }
}
