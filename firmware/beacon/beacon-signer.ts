import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { signBeacon, type BeaconFields, type BeaconRecord, type BeaconState } from './beacon-record.js';

/**
 * Signs this peer's own beacon record with an issue time that rises with
 * every signature, even within one millisecond or when the clock steps back:
 * receivers take only newer records (peer-table.ts), so a byebye is always
 * newer than the alive before it and a replay refreshes nothing. Shared by
 * the hub's beacon and the firmware's SSDP endpoint.
 */
export class BeaconSigner {
  private lastIssued = 0;

  constructor(
    private readonly identity: NodeIdentity,
    private readonly crypto: CryptoProvider,
  ) {}

  /** The record for `state`, issued at `now` (whole ms) or just after the last one; and its two header values. */
  sign(fields: BeaconFields, state: BeaconState, now: number): { record: BeaconRecord; headers: Record<string, string> } {
    const issued = Math.max(Math.floor(now), this.lastIssued + 1);
    this.lastIssued = issued;
    return signBeacon({ ...fields, issued }, this.identity, this.crypto, state);
  }
}
