import type { ValueMap } from '../codec/value.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { EventEntry } from '../event/envelope.js';
import type { EventLog } from '../event/event-log.js';
import type { OfflineBuffer } from '../uplink/offline-buffer.js';
import { checkHubHead } from '../uplink/signed-head.js';
import type { HubHead } from '../uplink/transport.js';

export interface ChainAdoptionOptions {
  nodeId: string;
  /** The hub public key of the node configuration, or the owner's hub keys (any of them may have signed the head). */
  hubKey: Uint8Array | readonly Uint8Array[];
  crypto: CryptoProvider;
  log: EventLog;
  buffer: OfflineBuffer;
  /** An entry's size in the buffer (its encoded size). */
  size: (e: EventEntry) => number;
  /** The node moved its chain: recorded on the new chain as system.chain.adopted (hubSeq, relinked, and `from`: where the moved entries were). */
  adopted: (data: ValueMap) => void;
  warn?: (line: string) => void;
}

/**
 * A node that lost its persisted chain head (a flash erase that kept its
 * key) begins again at seq 1, and its hub refuses that chain as
 * `chain-broken`, stating the head it holds, signed by the hub key for this
 * node and this batch (firmware/uplink/signed-head.ts). When the signature
 * verifies, the node continues from there: the chain moves onto the hub's
 * head (next seq = its seq + 1, prev = its hash) and every entry still
 * buffered, none of which the hub stored (it refused them), is signed again
 * at the new seqs, unchanged otherwise. The hub's signed word on what it
 * holds decides, so no seq it holds is signed twice. A refusal whose head is
 * unsigned, forged or signed for another batch (an old one replayed) changes
 * nothing: it is logged and the batch stays on backoff. Returns whether the
 * chain moved (Uplink.onFork).
 */
export function adoptHubHead(head: HubHead, batch: Uint8Array, o: ChainAdoptionOptions): boolean {
  const c = checkHubHead(head, { node: o.nodeId, batch }, o.hubKey, o.crypto);
  if (!c.ok) {
    o.warn?.(`ignored the hub's head in its chain-broken refusal: ${c.message}`);
    return false;
  }
  const from = o.buffer.firstSeq;
  o.log.continueFrom(c.head);
  o.buffer.relink((e) => o.log.relink(e), o.size);
  const data: ValueMap = { hubSeq: c.head.seq, relinked: o.buffer.count };
  if (from !== undefined) data.from = from;
  o.adopted(data);
  return true;
}
