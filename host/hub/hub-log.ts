import { batchSignedForm, createBatch } from '../../firmware/batch/batch.js';
import { withCheckedSignature } from '../../firmware/batch/checked-signature.js';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { EventLog, type EventLogHead } from '../../firmware/event/event-log.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { validateOnHost } from '../schema/host-validators.js';
import type { Cartridge } from '../store/cartridge.js';

/** One event for the hub's chain; `time` defaults to the hub's clock. */
export interface HubEventInput {
  type: string;
  component: string;
  data: ValueMap;
  time?: number;
}

export interface HubLogOptions {
  cartridge: Cartridge;
  /** The hub's key: its id names the chain, its secret signs every batch. */
  identity: NodeIdentity;
  crypto: CryptoProvider;
  /** The hub's one clock (the Timekeeper's). */
  clock: () => number;
}

/**
 * The hub as a source: its own hash chain in the cartridge's event log (entries),
 * under its own node id (derived from its key), with seq continuing from the
 * stored head across restarts. Each append builds the entries on that head,
 * signs them as one batch with the hub key and stores it through the same
 * verified ingest as a node's uplink, so a hub event verifies exactly like a
 * node's. Data is checked against schemas/event-data.schema.json first.
 * Appends are synchronous and durable when they return (the cartridge
 * commits with synchronous=FULL); a refused or failed append stores nothing
 * and leaves the head where the store has it.
 */
export class HubLog {
  private readonly o: HubLogOptions;
  private head: EventLogHead;

  constructor(options: HubLogOptions) {
    const { identity, crypto } = options;
    // appendMany takes its own signatures as checked: sound only when the key pair is one (checked once, here).
    if (!bytesEqual(crypto.publicKey(identity.secretKey), identity.publicKey))
      throw new RangeError(`identity.publicKey is not the public key of identity.secretKey (hub ${identity.id})`);
    this.o = options;
    this.head = this.storedHead();
  }

  /** The chain's node id. */
  get id(): string {
    return this.o.identity.id;
  }

  /** The seq of the newest stored hub event (0 before the first). */
  get seq(): number {
    return this.head.seq;
  }

  append(type: string, component: string, data: ValueMap, time?: number): EventEntry {
    return this.appendMany([{ type, component, data, time }])[0];
  }

  /** Several events as one signed batch and one commit. */
  appendMany(items: readonly HubEventInput[]): EventEntry[] {
    if (!Array.isArray(items) || items.length === 0) throw new RangeError('items must be a non-empty array of hub events');
    items.forEach((it, i) => {
      try {
        validateOnHost('eventData', { type: it.type, data: toJsonValue(it.data) });
      } catch (e) {
        throw new RangeError(`hub event ${i} (${String(it.type)}): ${(e as Error).message}`, { cause: e });
      }
    });
    const now = Math.floor(this.o.clock());
    // The hub stamps with its own clock; its system clock or the peers' consensus, never a node's.
    const log = new EventLog({ nodeId: this.id, crypto: this.o.crypto, clock: () => now, clockSource: () => 'rtc', head: this.head });
    const entries = items.map((it) => log.append(it.type, it.component, it.data, it.time));
    // The head moves before the store call: its commit listeners run inside it, and one that appends in
    // answer (a percept to a state change) must chain onto these entries, not onto the head before them.
    this.head = { seq: log.head.seq, hash: log.head.hash };
    try {
      const batch = createBatch(entries, this.o.identity, this.o.crypto);
      // Verifying the signature this call just made with the hub's own key pair is pure repetition, and
      // costs more than the signing (bench/event-core.ts, section 4: 0.37× the time without it). The store still checks
      // all that can differ: the batch's key against the key the hub's chain holds (a rotated key, a
      // cartridge restored under another hub), the id against the key, the entries' links, the head, and
      // continuity with the stored head.
      this.o.cartridge.ingestOwn(withCheckedSignature(batch, batchSignedForm(batch.node, batch.first, batch.last, batch.head)));
    } catch (e) {
      this.head = this.storedHead(); // whatever the store holds is the truth
      throw e;
    }
    return entries;
  }

  /**
   * Runs fn, its appends and the caller's own writes in the cartridge, as
   * one commit (Cartridge.atomically); if it throws, nothing of it is stored
   * and the head is the stored one again.
   */
  atomically<T>(fn: () => T): T {
    try {
      return this.o.cartridge.atomically(fn);
    } catch (e) {
      this.head = this.storedHead();
      throw e;
    }
  }

  private storedHead(): EventLogHead {
    return this.o.cartridge.head(this.id) ?? { seq: 0, hash: new Uint8Array(32) };
  }
}
