import { encodeCbor } from '../codec/cbor-encode.js';
import type { EventLogHead } from '../event/event-log.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { createPoll } from '../uplink/downlink-poll.js';
import { DownlinkPoller } from '../uplink/downlink-poller.js';
import { pollNonces } from '../uplink/poll-nonce.js';
import type { Transport } from '../uplink/transport.js';
import type { Uplink } from '../uplink/uplink.js';
import type { Downlink } from './downlink.js';
import { DEFAULT_DOWNLINK_POLL_MS } from './node-config.js';
import type { NodeAppOptions } from './node-app-options.js';

interface PollerWiring {
  identity: NodeIdentity;
  uplink: Uplink;
  downlink: Downlink;
  /** The chain head a poll names. */
  head: () => EventLogHead;
  /** Entries wait in the buffer. */
  pending: () => boolean;
}

/**
 * The node's DownlinkPoller: when nothing was exchanged for uplink.downlinkPollMs it asks the
 * hub for commands with a signed poll naming the chain head and a fresh nonce. Undefined when
 * the transport cannot poll or polling is off (downlinkPollMs 0).
 */
export function nodePoller(o: NodeAppOptions, w: PollerWiring): DownlinkPoller | undefined {
  const c = o.config;
  const pollMs = c.uplink.downlinkPollMs ?? DEFAULT_DOWNLINK_POLL_MS;
  const send = o.transport.poll;
  if (!send || !(pollMs > 0)) return undefined;
  const seed = o.entropy ? o.entropy(32) : o.crypto.sha256(encodeCbor(['fazt/poll-seed/v1', c.secretKey, o.time.now()]));
  const nonces = pollNonces(seed, o.crypto);
  const poll = (nonce: Uint8Array, done: () => void) => {
    const head = w.head();
    const sentAt = o.time.now();
    (send as NonNullable<Transport['poll']>).call(o.transport, createPoll(w.identity, head, nonce, o.crypto), (r) => {
      try {
        if (r.ok && w.downlink.answer(r.ack, { head: head.hash, nonce, sentAt, receivedAt: o.time.now() }) > 0) w.uplink.flush();
      } finally {
        done();
      }
    });
  };
  return new DownlinkPoller({
    time: o.time,
    pollMs,
    busy: () => w.uplink.busy,
    pending: w.pending,
    flush: () => w.uplink.flush(),
    poll: (done) => poll(nonces(), done),
  });
}
