import { compileTopicPattern } from '../../firmware/bus/topic.js';
import { stringifyJson } from '../../firmware/codec/json-form.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { toCloudEvent } from '../../firmware/event/cloudevents.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import { VerifyError } from '../../firmware/errors.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { pollFromCbor, verifyPoll } from '../../firmware/uplink/downlink-poll.js';
import { type AckReply, signAck } from '../../firmware/uplink/signed-ack.js';
import type { BeaconRecord } from '../../firmware/beacon/beacon-record.js';
import type { HubBeacon } from '../beacon/hub-beacon.js';
import type { RuleService } from '../effect/rule-service.js';
import type { HubMetrics } from '../pulse/hub-metrics.js';
import type { PulseCounters } from '../pulse/pulse-counters.js';
import type { PulseService } from '../pulse/pulse-service.js';
import type { Cartridge } from '../store/cartridge.js';
import type { Timekeeper } from '../time/timekeeper.js';
import { decodeUplink, parseJsonBody, UPLINK_TYPES } from './decode-uplink.js';
import { checkEnrollProof, parseEnrollRequest } from './enroll-request.js';
import type { EventStream, StreamFilter } from './event-stream.js';
import { parseEventsParams } from './events-params.js';
import { resolveNodeRef } from './node-ref.js';
import type { GroupCommit } from './group-commit.js';
import { HttpError, toHttpError } from './http-error.js';
import { StoreError } from '../store/store-error.js';
import { readBody } from './read-body.js';
import { type Handler, type Routes, requireType, route } from './route.js';
import type { FailureLimit } from './failure-limit.js';
import type { OwnerAccess } from './owner-access.js';
import { sessionRoutes } from './session-api.js';
import type { SessionBook } from './sessions.js';
import { tokensRoutes } from './tokens-api.js';
import { nodesRoutes } from './nodes-api.js';
import type { HubLog } from './hub-log.js';
import { pulseRoutes } from './pulse-api.js';
import { rulesRoutes } from './rules-api.js';
import { sendJson, sendJsonText } from './reply.js';
import { rulesTestRoutes } from './rules-test-api.js';
import { seriesRoutes } from './series-api.js';
import { inviteRoutes } from './invite-api.js';

export interface ApiContext {
  cartridge: Cartridge;
  /** Stores uplinks with group commit. */
  commits: GroupCommit;
  stream: EventStream;
  hubKey: NodeIdentity;
  crypto: CryptoProvider;
  bodyLimit: number;
  /** The hub's clock (the Timekeeper's when it runs): acks carry it so nodes without a clock can take it. */
  clock: () => number;
  timekeeper: Timekeeper;
  /** The LAN beacon, when the hub runs one. */
  beacon: () => HubBeacon | undefined;
  /** The hub's figures for GET /metrics (host/pulse/hub-metrics.ts). */
  metrics: HubMetrics;
  /** The live rules, when the hub runs them. */
  rules: () => RuleService | undefined;
  /** Pulse's counters: each uplink's answer, by node. */
  counters: PulseCounters;
  /** Pulse, when the hub beats. */
  pulse: () => PulseService | undefined;
  /** Owner access: the check before every route, browser sessions, failed attempts per address. */
  access: OwnerAccess;
  sessions: SessionBook;
  failures: { signin: FailureLimit; enroll: FailureLimit };
  /** The hub's own chain: where the owner's node changes are recorded. */
  hubLog: () => HubLog;
}

/** A beacon record as JSON (the key in hex). */
function recordJson(r: BeaconRecord): Record<string, unknown> {
  return { ...r, key: toHex(r.key) };
}

const ENROLL_BODY_LIMIT = 16 * 1024;
const POLL_BODY_LIMIT = 1024;

/**
 * The hub's HTTP API, one handler per route (see the README's Hub section).
 * Every refusal is thrown and turned into a status and a JSON error body by
 * the caller; a refusal leaves the cartridge as it was.
 */
export function apiRoutes(ctx: ApiContext): Routes {
  /** The signed answer to a batch (nonce null) or a poll, carrying the node's pending commands (README "The downlink"). */
  const answer = (node: string, ack: number, stored: number, head: Uint8Array, nonce: Uint8Array | null): AckReply => {
    const commands = ctx.cartridge.commands.deliver(node).map((c) => ({ id: c.id, seq: c.seq, action: c.action, notAfter: c.notAfter }));
    return signAck({ node, ack, stored, time: Math.floor(ctx.clock()), commands, head, nonce }, ctx.hubKey, ctx.crypto);
  };

  const uplink: Handler = async (req, res) => {
    let node: string | undefined;
    try {
      const type = requireType(req, UPLINK_TYPES);
      const body = await readBody(req, ctx.bodyLimit);
      const { batch, carried } = decodeUplink(type, body, ctx.cartridge.compact);
      node = batch.node;
      const result = await ctx.commits.submit(batch);
      ctx.cartridge.keepDictionary(node, carried);
      sendJson(res, 200, answer(result.node, result.ack, result.stored, batch.head, null));
      ctx.metrics.batch('acked');
      ctx.counters.batch('acked', node);
    } catch (e) {
      const code = toHttpError(e).code;
      ctx.metrics.batch(code);
      ctx.counters.batch(code, node, Math.floor(ctx.clock()));
      throw e;
    }
  };

  const metrics: Handler = async (_req, res) => {
    const { text, contentType } = await ctx.metrics.scrape();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(text);
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

  const nodeRef = (ref: string) => resolveNodeRef(ref, ctx.cartridge.nodes());

  const nodes: Handler = (_req, res) => {
    sendJson(res, 200, { nodes: ctx.cartridge.nodes() });
  };

  const events: Handler = (_req, res, url) => {
    const { query, format } = parseEventsParams(url.searchParams, nodeRef);
    const page = ctx.cartridge.events(query);
    const items = format === 'cloudevents' ? page.events.map((e) => JSON.stringify(toCloudEvent(e))) : page.events.map((e) => stringifyJson(entryToValue(e)));
    sendJsonText(res, 200, `{"order":"${query.order ?? 'asc'}","events":[${items.join(',')}],"next":${JSON.stringify(page.next)}}`);
  };

  const stream: Handler = (req, res, url) => {
    const filter: StreamFilter = {};
    for (const k of url.searchParams.keys())
      if (k !== 'node' && k !== 'type') throw new HttpError(400, 'bad-query', `unknown parameter '${k}' (known: node, type)`);
    const node = url.searchParams.get('node');
    if (node !== null) {
      filter.node = nodeRef(node);
    }
    const type = url.searchParams.get('type');
    if (type !== null) {
      try {
        filter.type = compileTopicPattern(type);
      } catch (e) {
        throw new HttpError(400, 'bad-query', `type: ${(e as Error).message}`);
      }
    }
    req.socket.setNoDelay(true);
    if (!ctx.stream.add(res, filter)) throw new HttpError(503, 'too-many-streams', 'the hub serves its maximum of event streams');
  };

  const enroll: Handler = async (req, res) => {
    const from = req.socket.remoteAddress ?? 'unknown';
    ctx.failures.enroll.check(from);
    requireType(req, ['application/json']);
    const request = parseEnrollRequest(parseJsonBody(await readBody(req, ENROLL_BODY_LIMIT)));
    try {
      checkEnrollProof(request, ctx.crypto);
      const { node } = ctx.cartridge.enroll({ token: request.token, publicKey: request.publicKey, name: request.name, board: request.board });
      sendJson(res, 200, { node, hub: { id: ctx.hubKey.id, publicKey: toHex(ctx.hubKey.publicKey) } });
    } catch (e) {
      // A refused invite or proof is a guess at an invite: it counts against the address (a malformed body does not).
      if (toHttpError(e).status < 500) ctx.failures.enroll.fail(from);
      throw e;
    }
  };

  const time: Handler = (_req, res, url) => {
    const nonce = url.searchParams.get('nonce');
    if (nonce === null || !/^[0-9a-f]{32}$/.test(nonce)) throw new HttpError(400, 'bad-query', 'nonce must be 16 random bytes as 32 lowercase hex digits');
    sendJson(res, 200, ctx.timekeeper.answer(nonce));
  };

  const timeStatus: Handler = (_req, res) => sendJson(res, 200, ctx.timekeeper.status());
  const timePeers: Handler = (_req, res) => sendJson(res, 200, { readings: ctx.timekeeper.readingsOfLastRound() });
  const timeSync: Handler = async (_req, res) => sendJson(res, 200, { status: await ctx.timekeeper.sync(), readings: ctx.timekeeper.readingsOfLastRound() });

  const peerJson = (p: ReturnType<HubBeacon['peers']>[number]) => ({
    ...recordJson(p.record),
    address: p.address,
    url: p.url,
    firstSeen: p.firstSeen,
    lastSeen: p.lastSeen,
  });
  const beacon: Handler = (_req, res) => {
    const b = ctx.beacon();
    if (!b) return sendJson(res, 200, { enabled: false, cached: ctx.cartridge.peers.list() });
    const s = b.status();
    sendJson(res, 200, {
      enabled: true,
      record: recordJson(s.record),
      announceMs: s.announceMs,
      forgetMs: s.forgetMs,
      announcements: s.announcements,
      refused: s.refused,
      peers: s.peers.map(peerJson),
      cached: ctx.cartridge.peers.list(),
    });
  };

  return {
    '/v1/health': { GET: route('open', (_req, res) => sendJson(res, 200, { ok: true })) },
    '/v1/time': { GET: route('open', time) },
    '/v1/time/status': { GET: route('read', timeStatus) },
    '/v1/time/peers': { GET: route('read', timePeers) },
    '/v1/time/sync': { POST: route('admin', timeSync) },
    '/v1/beacon': { GET: route('open', beacon) },
    '/v1/uplink': { POST: route('open', uplink) },
    // Open, yet authenticated: a poll is signed by the node's own key and checked against it before anything is answered.
    '/v1/downlink': { POST: route('open', downlink) },
    '/v1/nodes': { GET: route('read', nodes) },
    '/v1/events': { GET: route('read', events) },
    '/v1/stream': { GET: route('read', stream) },
    '/v1/enroll': { POST: route('open', enroll) },
    '/metrics': { GET: route('metrics', metrics) },
    ...sessionRoutes({ tokens: ctx.cartridge.tokens, sessions: ctx.sessions, access: ctx.access, failures: ctx.failures.signin, clock: ctx.clock }),
    ...tokensRoutes({ tokens: ctx.cartridge.tokens, clock: ctx.clock }),
    ...nodesRoutes({ cartridge: ctx.cartridge, hubLog: ctx.hubLog, access: ctx.access, clock: ctx.clock }),
    ...rulesRoutes(ctx),
    ...pulseRoutes({ cartridge: ctx.cartridge, hubId: ctx.hubKey.id, pulse: ctx.pulse, clock: ctx.clock }),
    ...seriesRoutes(ctx),
    ...inviteRoutes(ctx),
    ...rulesTestRoutes({ cartridge: ctx.cartridge, hubId: ctx.hubKey.id, clock: ctx.clock, timeZone: () => ctx.rules()?.timeZone ?? 'UTC' }),
  };
}
