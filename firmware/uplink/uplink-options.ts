import type { BatchEncoder } from '../batch/batch-encoder.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';
import type { HalTime } from '../../hal/contracts/time.js';
import type { OfflineBuffer } from './offline-buffer.js';
import type { HubHead, Transport, UplinkAck, UplinkResult } from './transport.js';

/** What an Uplink (firmware/uplink/uplink.ts) sends, when, through what, and whom it tells. */
export interface UplinkOptions {
  identity: NodeIdentity;
  crypto: CryptoProvider;
  time: HalTime;
  transport: Transport;
  buffer: OfflineBuffer;
  /** Send when this many entries wait… */
  batchSize: number;
  /** …or when the oldest has waited this long (ms). */
  maxDelayMs: number;
  /** How a batch becomes bytes (default: the full form; a node sends the compact one, firmware/node/node-app.ts). */
  encoder?: BatchEncoder;
  /** Largest request body (default 200 KiB, under the hub's 256 KiB limit). */
  maxBatchBytes?: number;
  /** What the hub had acknowledged before this boot, as far as the node knows (firmware/node/node-state.ts): a floor for rewind. */
  ackedSeq?: number;
  /** Retry backoff after a failure: first wait and cap, doubling (defaults 1 s, 60 s). */
  backoffMs?: { initial: number; max: number };
  onResult?: (result: UplinkResult, batch: { first: number; last: number; bytes: number }) => void;
  /**
   * Every acknowledgement, with the local clock when its batch left and when
   * the answer came (a clock set from the hub corrects for the round trip).
   * Runs before onResult; an event recorded here goes out with a later batch.
   * `head` is the hash of the batch's last entry: what a signed
   * acknowledgement names (firmware/uplink/signed-ack.ts).
   */
  onAck?: (ack: UplinkAck, exchange: { sentAt: number; receivedAt: number; head: Uint8Array }) => void;
  /** Called before a batch that declares dropped seqs is built (the node records the loss first). */
  beforeGap?: (dropped: { from: number; to: number }) => void;
  /**
   * The hub refused a batch as a gap and holds less than it had acknowledged (it was restored
   * from a backup): the seqs from..to, which the node no longer holds, go out as dropped with
   * the next batch. Called once per such refusal, before that batch is built.
   */
  onRewind?: (rewind: { hubSeq: number; ackedSeq: number; from: number; to: number }) => void;
  /**
   * A batch is signed and about to leave: `from`..`last` is what the hub may not hold yet (its
   * declared dropped range and its entries), `head` its last entry's hash. The node persists
   * its chain head here (firmware/node/node-state.ts). Throwing keeps the batch back: it is
   * retried with backoff.
   */
  onSigned?: (batch: { from: number; last: number; head: Uint8Array }) => void;
  /**
   * The hub refused a batch as `chain-broken` and stated its head for this node (`batch`: the
   * refused batch's head). True when the node moved its chain onto that head
   * (firmware/node/chain-adoption.ts): the buffer is sent again at once.
   */
  onFork?: (head: HubHead, batch: Uint8Array) => boolean;
  /**
   * While this answers true, whatever is buffered is sent at once, without
   * waiting for batchSize or maxDelayMs (retry backoff still applies): a node
   * whose clock waits for its hub sends its first batch at boot.
   */
  eager?: () => boolean;
}
