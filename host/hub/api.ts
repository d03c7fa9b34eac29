import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import type { HubBeacon } from '../beacon/hub-beacon.js';
import type { RuleService } from '../effect/rule-service.js';
import type { HubMetrics } from '../pulse/hub-metrics.js';
import type { PulseCounters } from '../pulse/pulse-counters.js';
import type { PulseService } from '../pulse/pulse-service.js';
import type { Cartridge } from '../store/cartridge.js';
import type { Timekeeper } from '../time/timekeeper.js';
import { beaconRoutes } from './beacon-api.js';
import { bleRoutes } from './ble-api.js';
import { enrollRoutes } from './enroll-api.js';
import type { EventStream } from './event-stream.js';
import { eventsRoutes } from './events-api.js';
import type { FailureLimit } from './failure-limit.js';
import type { GroupCommit } from './group-commit.js';
import type { HubLog } from './hub-log.js';
import type { OpRecord } from './op-log.js';
import type { MeshHub } from '../mesh/mesh-hub.js';
import { meshRoutes } from './mesh-api.js';
import { firmwareRoutes } from './firmware-api.js';
import { inviteRoutes } from './invite-api.js';
import { meshPairRoutes } from './mesh-pair-api.js';
import { meshPeersRoutes } from './mesh-peers-api.js';
import { metricsRoutes } from './metrics-api.js';
import { nodesRoutes } from './nodes-api.js';
import type { OwnerAccess } from './owner-access.js';
import { pulseRoutes } from './pulse-api.js';
import { sendJson } from './reply.js';
import { type Routes, route } from './route.js';
import { rulesRoutes } from './rules-api.js';
import { rulesTestRoutes } from './rules-test-api.js';
import { seriesRoutes } from './series-api.js';
import { sessionRoutes } from './session-api.js';
import type { SessionBook } from './sessions.js';
import { timeRoutes } from './time-api.js';
import { tokensRoutes } from './tokens-api.js';
import { uplinkRoutes } from './uplink-api.js';

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
  failures: { signin: FailureLimit; enroll: FailureLimit; pair: FailureLimit };
  /** The hub's own chain: where the owner's node changes are recorded. */
  hubLog: () => HubLog;
  /** The hub's operational log. */
  log: (record: OpRecord) => void;
  /** The mesh: paired hubs' requests and the owner's sync and status (host/mesh/). */
  mesh: MeshHub;
}

/**
 * The hub's HTTP API: every area's routes, each saying who may call it
 * (host/hub/route.ts; see the README's Hub section). Every refusal is thrown
 * and turned into a status and a JSON error body by the caller; a refusal
 * leaves the cartridge as it was.
 */
export function apiRoutes(ctx: ApiContext): Routes {
  return {
    '/v1/health': { GET: route('open', (_req, res) => sendJson(res, 200, { ok: true })) },
    ...timeRoutes(ctx),
    ...beaconRoutes(ctx),
    ...uplinkRoutes(ctx),
    ...eventsRoutes(ctx),
    ...enrollRoutes(ctx),
    ...metricsRoutes(ctx),
    ...sessionRoutes({ tokens: ctx.cartridge.tokens, sessions: ctx.sessions, access: ctx.access, failures: ctx.failures.signin, clock: ctx.clock }),
    ...tokensRoutes({ tokens: ctx.cartridge.tokens, clock: ctx.clock }),
    ...nodesRoutes({ cartridge: ctx.cartridge, hubLog: ctx.hubLog, access: ctx.access, clock: ctx.clock }),
    ...rulesRoutes(ctx),
    ...pulseRoutes({ cartridge: ctx.cartridge, hubId: ctx.hubKey.id, pulse: ctx.pulse, clock: ctx.clock }),
    ...seriesRoutes(ctx),
    ...inviteRoutes(ctx),
    ...firmwareRoutes(ctx),
    ...meshRoutes(ctx),
    ...meshPairRoutes(ctx),
    ...meshPeersRoutes(ctx),
    ...rulesTestRoutes({ cartridge: ctx.cartridge, hubId: ctx.hubKey.id, clock: ctx.clock, timeZone: () => ctx.rules()?.timeZone ?? 'UTC' }),
    ...bleRoutes({ cartridge: ctx.cartridge, clock: ctx.clock, hubLog: ctx.hubLog, access: ctx.access }),
  };
}
