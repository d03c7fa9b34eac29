import type { Clock } from '../../hal/contracts/time.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { BEACON_HEADER, BEACON_SEARCH_TARGET, type BeaconFields, type BeaconState } from './beacon-record.js';
import { BeaconSigner } from './beacon-signer.js';
import type { SsdpHeaders } from './ssdp-message.js';

/** Who an endpoint is, when it announces itself and answers searches. */
export interface BeaconSelf {
  identity: NodeIdentity;
  fields: BeaconFields;
}

/** Signatures are reused this long, so a burst of searches costs one signature. */
const RESIGN_MS = 1000;

/**
 * What an SSDP endpoint says about itself in its NOTIFYs and search answers:
 * USN, LOCATION, SERVER, max-age and the signed beacon headers. An alive
 * record signed within the last second is reused (one Ed25519 signature is
 * most of a small chip's budget); a byebye is always signed afresh, as its
 * own record (state bye, newer than any alive), so a captured alive cannot be
 * turned into one.
 */
export class SelfAdvert {
  /** CACHE-CONTROL max-age in seconds (UDA 1.1 §1.2.2: at least 1800). */
  readonly maxAge = 1800;
  private readonly signer: BeaconSigner;
  private signed: { at: number; headers: Record<string, string> } | undefined;

  constructor(
    private readonly self: BeaconSelf,
    crypto: CryptoProvider,
    private readonly clock: Clock,
  ) {
    this.signer = new BeaconSigner(self.identity, crypto);
  }

  get id(): string {
    return this.self.identity.id;
  }

  get usn(): string {
    return `uuid:fazt-${this.self.identity.id}::${BEACON_SEARCH_TARGET}`;
  }

  /** The peer's beacon route, when it has an address and an API port. */
  get location(): string | undefined {
    const f = this.self.fields;
    return f.addresses.length && f.port ? `http://${f.addresses[0]}:${f.port}/v1/beacon` : undefined;
  }

  get server(): string {
    return `fazt/${this.self.fields.version} UPnP/1.1 fazt-beacon/1`;
  }

  /** The signed headers for `state`: the alive ones of the last second again, or newly signed. */
  headers(state: BeaconState = 'alive'): Record<string, string> {
    const now = Math.floor(this.clock.now());
    if (state === 'alive' && this.signed && now - this.signed.at < RESIGN_MS && now >= this.signed.at) return this.signed.headers;
    const { headers } = this.signer.sign(this.self.fields, state, now);
    if (state === 'alive') this.signed = { at: now, headers };
    return headers;
  }

  /** Whether a packet carries the alive record signed last: our own, looped back (no need to verify it). */
  isOwn(headers: SsdpHeaders): boolean {
    return this.signed !== undefined && headers[BEACON_HEADER] === this.signed.headers[BEACON_HEADER];
  }
}
