import { BatchReader } from '../../firmware/batch/batch-reader.js';
import { verifyBatch } from '../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { pollFromCbor, verifyPoll } from '../../firmware/uplink/downlink-poll.js';
import { type AckFields, type AckReply, type DownlinkCommand, signAck } from '../../firmware/uplink/signed-ack.js';
import type { HttpReply } from '../../hal/contracts/http.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import type { UplinkSender } from '../../sim/xs/bridge-host.js';

/** Reads the node's batches, compact (the node's default) or full. */
const reader = new BatchReader(nodeCrypto);

/** How the hub's answers leave it: signed by its key, with no signature, or signed by another key (a forger). */
export type AnswerMode = 'signed' | 'unsigned' | 'forged';

/** One answer the hub made, as it made it, and what it was to. */
export interface Made {
  to: 'uplink' | 'poll';
  fields: AckFields;
  reply: Record<string, unknown>;
}

const reply = (body: unknown): HttpReply => ({ status: 200, body: Buffer.from(JSON.stringify(body)) });

/**
 * A hub in the test's hands, for the node's side of the downlink: it
 * verifies and keeps the node's batches like the hub does, answers batches
 * and polls with the commands it is given, signed or not or forged as
 * `mode` says, and lets a test replace an answer on its way (`intercept`:
 * what a man in the middle would do).
 */
export class ScriptedHub {
  readonly key: NodeIdentity;
  private readonly forger = identityFromSecretKey(new Uint8Array(32).fill(0x72), nodeCrypto);
  head: EventLogHead | undefined;
  readonly stored: EventEntry[] = [];
  readonly made: Made[] = [];
  mode: AnswerMode = 'signed';
  commands: DownlinkCommand[] = [];
  /** Replaces the answer the node gets (return undefined to let it through). */
  intercept: ((made: Made) => HttpReply | undefined) | undefined;
  /** While true the hub cannot be reached: every request fails as a refused connection does. */
  down = false;

  /** `keySeed`: the byte the hub's key is made of (another hub of the owner's has another). */
  constructor(
    private readonly clock: () => number,
    private readonly nodeKey: Uint8Array,
    keySeed = 0x71,
  ) {
    this.key = identityFromSecretKey(new Uint8Array(32).fill(keySeed), nodeCrypto);
  }

  readonly uplink: UplinkSender = async (hex) => {
    if (this.down) return { error: 'connect ECONNREFUSED (the hub is away)' };
    const batch = reader.read(decodeCbor(Buffer.from(hex, 'hex')));
    const r = verifyBatch(batch, { crypto: nodeCrypto, known: this.head });
    this.stored.push(...r.fresh);
    this.head = r.head;
    return this.answer('uplink', {
      node: batch.node,
      ack: r.head.seq,
      stored: r.fresh.length,
      time: this.clock(),
      commands: this.commands,
      head: batch.head,
      nonce: null,
    });
  };

  readonly downlink: UplinkSender = async (hex) => {
    if (this.down) return { error: 'connect ECONNREFUSED (the hub is away)' };
    const poll = pollFromCbor(Buffer.from(hex, 'hex'));
    if (!verifyPoll(poll, this.nodeKey, nodeCrypto)) return { status: 401, body: Buffer.from('{"error":{"code":"bad-signature","message":"x"}}') };
    return this.answer('poll', {
      node: poll.node,
      ack: this.head?.seq ?? 0,
      stored: 0,
      time: this.clock(),
      commands: this.commands,
      head: poll.head,
      nonce: poll.nonce,
    });
  };

  /** Events of a type the node recorded and the hub stored. */
  events(type: string): EventEntry[] {
    return this.stored.filter((e) => e.type === type);
  }

  private answer(to: Made['to'], fields: AckFields): HttpReply {
    const signed: AckReply = signAck(fields, this.mode === 'forged' ? this.forger : this.key, nodeCrypto);
    const body: Record<string, unknown> = { ...signed };
    if (this.mode === 'unsigned') delete body.sig;
    const made = { to, fields, reply: body };
    this.made.push(made);
    return this.intercept?.(made) ?? reply(body);
  }
}

/** An answer made earlier, sent again as it was (a replay). */
export function replayOf(made: Made): HttpReply {
  return reply(made.reply);
}
