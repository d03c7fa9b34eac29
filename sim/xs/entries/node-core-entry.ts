/**
 * A node's event core inside XS, for the simulator: the host hands it
 * readings, it appends them to its hash-chained log and, on request, signs
 * the pending entries as one CBOR batch. Portable code only.
 */
import { batchToValue, createBatch } from '../../../firmware/batch/batch.js';
import { encodeCbor } from '../../../firmware/codec/cbor-encode.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import type { Value } from '../../../firmware/codec/value.js';
import { nobleCrypto } from '../../../firmware/crypto/noble-crypto.js';
import type { EventEntry } from '../../../firmware/event/envelope.js';
import { EventLog } from '../../../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../../../firmware/identity/node-id.js';
import { serveCommands } from '../xs-guest.js';

let identity: NodeIdentity | undefined;
let log: EventLog | undefined;
let now = 0;
let pending: EventEntry[] = [];

function ready(): { identity: NodeIdentity; log: EventLog } {
  if (!identity || !log) throw new Error('call init first');
  return { identity, log };
}

serveCommands({
  init: (seedHex: string) => {
    identity = identityFromSecretKey(fromHex(seedHex), nobleCrypto);
    log = new EventLog({ nodeId: identity.id, crypto: nobleCrypto, clock: () => now });
    pending = [];
    return { id: identity.id };
  },
  /** The simulator owns the clock: it sets the time before each append. */
  append: (time: number, type: string, component: string, data: Value) => {
    now = time;
    const e = ready().log.append(type, component, data);
    pending.push(e);
    return e.seq;
  },
  batch: () => {
    const r = ready();
    if (pending.length === 0) return null;
    const bytes = encodeCbor(batchToValue(createBatch(pending, r.identity, nobleCrypto)));
    pending = [];
    return toHex(bytes);
  },
});
