import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { ForkError, VerifyError } from '../../firmware/errors.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { pollFromCbor, verifyPoll } from '../../firmware/uplink/downlink-poll.js';
import { type AckReply, signAck } from '../../firmware/uplink/signed-ack.js';
import { signHubHead } from '../../firmware/uplink/signed-head.js';
import type { HubMetrics } from '../pulse/hub-metrics.js';
import type { PulseCounters } from '../pulse/pulse-counters.js';
import type { Cartridge } from '../store/cartridge.js';
import { StoreError } from '../store/store-error.js';
import { decodeUplink, UPLINK_TYPES } from './decode-uplink.js';
import type { GroupCommit } from './group-commit.js';
import { HttpError, toHttpError } from './http-error.js';
import type { OpRecord } from './op-log.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';

const POLL_BODY_LIMIT = 1024;

export interface UplinkContext {
  cartridge: Cartridge;
  /** Stores uplinks with group commit. */
  commits: GroupCommit;
  hubKey: NodeIdentity;
  crypto: CryptoProvider;
  bodyLimit: number;
  /** The hub's clock (the Timekeeper's when it runs): acks carry it so nodes without a clock can take it. */
  clock: () => number;
  metrics: HubMetrics;
  /** Pulse's counters: each uplink's answer, by node. */
  counters: PulseCounters;
  /** The hub's operational log (host/hub/op-log.ts). */
  log: (record: OpRecord) => void;
}

/**
 * What nodes send: batches up (POST /v1/uplink) and polls for commands
 * (POST /v1/downlink). Both are open routes, authenticated by the node's own
 * signature; both are answered with the hub-signed ack that carries the
 * node's pending commands (README "The downlink").
 */
export function uplinkRoutes(ctx: UplinkContext): Routes {
  /** The signed answer to a batch (nonce null) or a poll. */
  const answer = (node: string, ack: number, stored: number, head: Uint8Array, nonce: Uint8Array | null): AckReply => {
    const commands = ctx.cartridge.commands.deliver(node).map((c) => ({ id: c.id, seq: c.seq, action: c.action, notAfter: c.notAfter }));
    return signAck({ node, ack, stored, time: Math.floor(ctx.clock()), commands, head, nonce }, ctx.hubKey, ctx.crypto);
  };

  const uplink: Handler = async (req, res) => {
    let node: string | undefined;
    let batchHead: Uint8Array | undefined;
    try {
      const type = requireType(req, UPLINK_TYPES);
      const body = await readBody(req, ctx.bodyLimit);
      const { batch, carried } = decodeUplink(type, body, ctx.cartridge.compact);
      node = batch.node;
      batchHead = batch.head;
      const result = await ctx.commits.submit(batch, carried);
      sendJson(res, 200, answer(result.node, result.ack, result.stored, batch.head, null));
      // A range the node signed as lost (its buffer overflowed, or this hub was restored behind it) is news for the owner.
      if (result.gap)
        ctx.log({
          level: 'warn',
          code: 'node-gap',
          node,
          from: result.gap.from,
          to: result.gap.to,
          message: `the node signed seqs ${result.gap.from}..${result.gap.to} as dropped`,
        });
      ctx.metrics.batch('acked');
      ctx.counters.batch('acked', node);
    } catch (e) {
      const code = toHttpError(e).code;
      ctx.metrics.batch(code);
      ctx.counters.batch(code, node, Math.floor(ctx.clock()));
      // A node that lost its chain head (a flash erase that kept its key) continues from the head signed here.
      if (e instanceof ForkError && node !== undefined && batchHead !== undefined)
        throw new HttpError(409, e.code, e.message, { head: signHubHead(node, e.stored, batchHead, ctx.hubKey, ctx.crypto) });
      throw e;
    }
  };

  const downlink: Handler = async (req, res) => {
    requireType(req, ['application/cbor']);
    const poll = pollFromCbor(await readBody(req, POLL_BODY_LIMIT));
    const node = ctx.cartridge.nodeKey(poll.node);
    if (!node) throw new StoreError('unknown-node', `node ${poll.node} is not enrolled on this hub`);
    if (node.revoked) throw new StoreError('node-revoked', `node ${poll.node}'s key was revoked by the owner: its polls are refused`);
    if (!verifyPoll(poll, node.publicKey, ctx.crypto))
      throw new VerifyError('bad-signature', `the poll does not verify against the key node ${poll.node} enrolled with`);
    sendJson(res, 200, answer(poll.node, node.headSeq, 0, poll.head, poll.nonce));
  };

  return {
    '/v1/uplink': { POST: route('open', uplink) },
    // Open, yet authenticated: a poll is signed by the node's own key and checked against it before anything is answered.
    '/v1/downlink': { POST: route('open', downlink) },
  };
}
