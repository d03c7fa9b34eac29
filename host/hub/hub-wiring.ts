import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import type { HubBeacon } from '../beacon/hub-beacon.js';
import { RuleService } from '../effect/rule-service.js';
import { PerceptEngine } from '../percept/percept-engine.js';
import { HubMetrics } from '../pulse/hub-metrics.js';
import { PulseCounters } from '../pulse/pulse-counters.js';
import { PulseService } from '../pulse/pulse-service.js';
import type { Cartridge } from '../store/cartridge.js';
import { WalCheckpoints } from '../store/wal-checkpoints.js';
import { openCheckedCartridge } from './open-checked-cartridge.js';
import { Timekeeper } from '../time/timekeeper.js';
import { apiRoutes } from './api.js';
import { EventStream } from './event-stream.js';
import { FailureLimit } from './failure-limit.js';
import { GroupCommit } from './group-commit.js';
import { loadOrCreateHubKey } from './hub-key.js';
import { HubLog } from './hub-log.js';
import { type ResolvedHubLimits, resolveHubLimits } from './hub-limits.js';
import { RefusalLog } from './refusal-log.js';
import type { HubOptions } from './hub-options.js';
import { OwnerAccess } from './owner-access.js';
import { ensureOwnerToken } from './owner-token-file.js';
import { DEFAULT_BODY_LIMIT } from './read-body.js';
import type { Routes } from './route.js';
import { SessionBook } from './sessions.js';
import { applyPeerAdmin } from '../mesh/peer-admin.js';
import { MeshError } from '../mesh/mesh-error.js';
import { MeshHub } from '../mesh/mesh-hub.js';
import { resolvePeerUrl } from '../mesh/resolve-peer-url.js';
import { type HubCertificate, loadOrCreateHubCertificate } from './tls/hub-certificate.js';
import { isLoopback } from './tls/loopback.js';
import { AgentEffects } from '../mcp/agent-effects.js';
import { agentRoutes } from '../mcp/mcp-api.js';

export const CARTRIDGE_FILE = 'fazt.db';

/** Everything a hub runs on, wired together and not yet started (host/hub/hub-listen.ts starts it). */
export interface HubParts {
  /** The data folder, absolute. */
  dataDir: string;
  /** The cartridge's path. */
  file: string;
  key: NodeIdentity;
  /** The HTTPS certificate; undefined on loopback, where the hub serves plain HTTP only. */
  tls: HubCertificate | undefined;
  store: Cartridge;
  /** The cartridge's WAL checkpoints, on a timer of their own rather than inside an uplink's commit. */
  checkpoints: WalCheckpoints;
  keeper: Timekeeper;
  stream: EventStream;
  own: HubLog;
  engine: PerceptEngine | undefined;
  rules: RuleService | undefined;
  pulse: PulseService | undefined;
  owner: { token: string; id: string };
  sessions: SessionBook;
  access: OwnerAccess;
  routes: Routes;
  mesh: MeshHub;
  /** The limits against slow and abusive clients, and the log their refusals go to once per address per period. */
  limits: ResolvedHubLimits;
  refusals: RefusalLog;
  /** The LAN beacon once it is made (it needs the port the hub listens on); the timekeeper and the API read it from here. */
  lan: HubBeacon | undefined;
}

/** What the API reads from the hub as it stands at each request. */
export interface LiveParts {
  rules: () => RuleService | undefined;
  pulse: () => PulseService | undefined;
}

/**
 * Opens the data folder, the hub's key and certificate and the cartridge,
 * and wires the services and the route table on them. Nothing listens or
 * runs yet; if a part is refused (bad options, an unwritable folder) the
 * cartridge is closed again before the error is thrown.
 */
export async function wireHub(
  options: HubOptions,
  crypto: CryptoProvider,
  listenHost: string,
  live: LiveParts,
  log: (record: Record<string, unknown>) => void,
): Promise<HubParts> {
  const dataDir = resolve(options.dataDir ?? './fazt-data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, CARTRIDGE_FILE);
  let keeper: Timekeeper | undefined;
  const clock = () => (keeper as Timekeeper).now();
  // Checked before anything runs on it: damage stops the hub, naming it and the restore (open-checked-cartridge.ts).
  const { cartridge: store } = openCheckedCartridge(file, {
    crypto,
    clock,
    onListenerError: (e) => log({ level: 'error', code: 'stored-listener', message: (e as Error)?.message ?? String(e) }),
    recent: options.startCheck?.recent,
    backupDir: options.backups?.dir ?? join(dataDir, 'backups'),
  });
  const t = options.time ?? {};
  // The slot the beacon is put in once the hub listens.
  const parts: { lan: HubBeacon | undefined } = { lan: undefined };
  try {
    // The hub's identity lives in the cartridge (a hub-key.json beside it is imported once).
    const key = loadOrCreateHubKey(store, dataDir, crypto, (n) => new Uint8Array(randomBytes(n)));
    // Beyond loopback the LAN could read every answer: HTTPS with a certificate for the hub's key.
    const tls = isLoopback(listenHost) ? undefined : await loadOrCreateHubCertificate(store.hubIdentity, dataDir, key, listenHost);
    keeper = new Timekeeper({
      identity: key,
      crypto,
      store: store.clockState,
      system: options.clock,
      mode: t.mode,
      pollMs: t.pollMs,
      timeoutMs: t.timeoutMs,
      halfLifeMs: t.halfLifeMs,
      peers: () =>
        parts.lan
          ? parts.lan
              .peers()
              .filter((p) => p.record.kind === 'hub' && p.record.services.includes('time'))
              .map((p) => ({ id: p.record.id, url: p.url, publicKey: p.record.key }))
          : [],
      log,
    });
    const limits = resolveHubLimits(options.limits);
    const refusals = new RefusalLog(log, limits.refusalLogMs, limits.now);
    const stream = new EventStream({
      ...{ heartbeatMs: options.heartbeatMs, maxBufferedBytes: limits.streamBufferBytes, stallMs: limits.streamStallMs },
      onDrop: (from, reason) => refusals.note('stream-dropped', from, { message: `an event stream client that did not read was dropped (${reason})` }),
    });
    // Everything stored goes out on the event stream as it commits, the hub's own events too.
    store.onStored((entries) => stream.publish(entries));
    const metrics = new HubMetrics({ cartridge: store, hubId: key.id, streamClients: () => stream.size });
    store.onStored((entries) => metrics.observe(entries));
    const counters = new PulseCounters(key.id);
    store.onStored((entries, receivedAt) => counters.observe(entries, receivedAt));
    const own = new HubLog({ cartridge: store, identity: key, crypto, clock });
    const p = options.percepts;
    const engine = p ? new PerceptEngine({ cartridge: store, hubLog: own, clock, options: p === true ? {} : p, log }) : undefined;
    const r = options.rules;
    const rules = r ? new RuleService({ ...(r === true ? {} : r), cartridge: store, hubLog: own, clock, log }) : undefined;
    const po = options.pulse;
    const timekeeper = keeper;
    const pulse = po
      ? new PulseService({
          ...(po === true ? {} : po),
          ...{ cartridge: store, hubLog: own, clock, counters, streamClients: () => stream.size, timekeeper },
          ...{ beacon: () => parts.lan, rules: () => rules, log, notApplicable: timekeeper.mode === 'peers' ? [] : ['hub.time'] },
        })
      : undefined;
    const owner = ensureOwnerToken(dataDir, store.tokens, Math.floor(keeper.now()));
    const sessions = new SessionBook(crypto, (n) => new Uint8Array(randomBytes(n)));
    // Guesses at a token (Bearer or sign-in) share one count per address; enrolment guesses have their own.
    const failures = {
      signin: new FailureLimit(limits.failures, limits.failureWindowMs, limits.now),
      enroll: new FailureLimit(limits.failures, limits.failureWindowMs, limits.now),
      pair: new FailureLimit(limits.failures, limits.failureWindowMs, limits.now),
    };
    const access = new OwnerAccess(store.tokens, sessions, clock, failures.signin);
    const mesh = new MeshHub({
      ...{ cartridge: store, crypto, clock, self: key },
      report: (r) => void own.append(r.type, 'mesh', r.data),
      // A paired hub's enrolments, renames, retirements and revocations apply here too, inside the page's transaction.
      onPeerHubEntries: (peer, fresh) => {
        for (const o of applyPeerAdmin(store, peer, fresh, Math.floor(clock()), crypto))
          if (o.result === 'ignored') log({ code: 'mesh-admin-ignored', peer, node: o.node, reason: o.reason });
      },
      // A peer paired without a url (by words, by sound) is found by its key: what the beacon heard, else a search on its sockets.
      locate: (peer) => {
        const lan = parts.lan;
        if (!lan) return Promise.reject(new MeshError('unreachable', `peer ${peer.hub} has no url, and this hub runs no beacon to find it by`));
        return resolvePeerUrl(peer, { crypto, heard: () => lan.peers(), search: (s) => lan.find(s) });
      },
      round: options.mesh?.round,
    });
    const commits = new GroupCommit(store, undefined, {
      onSyncFailed: (e) => log({ level: 'error', code: 'wal-sync-failed', message: `${e.message}; restart the hub once its disk is checked` }),
    });
    const routes: Routes = {
      ...apiRoutes({
        cartridge: store,
        commits,
        stream,
        hubKey: key,
        crypto,
        bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
        clock,
        timekeeper,
        beacon: () => parts.lan,
        rules: live.rules,
        metrics,
        counters,
        pulse: live.pulse,
        access,
        sessions,
        failures,
        hubLog: () => own,
        log,
        mesh,
      }),
      // Agents over MCP and the person who confirms what they propose (host/mcp/).
      ...agentRoutes({
        ...{ cartridge: store, hubLog: () => own, hubId: key.id, clock, rules: live.rules, pulse: live.pulse, access },
        effects: new AgentEffects({ cartridge: store, hubLog: own, clock, confirmWithinMs: options.agents?.confirmWithinMs }),
        timeZone: () => live.rules()?.timeZone ?? 'UTC',
      }),
      ...options.extraRoutes,
    };
    const owned = { token: owner.token, id: owner.record.id };
    // The uplinks' commits wait while a checkpoint finishes the WAL, so it starts over instead of reaching the backstop.
    const checkpoints = new WalCheckpoints(
      store,
      (e) => log({ level: 'warn', code: 'wal-checkpoint', message: e.message }),
      undefined,
      (work) => commits.hold(work),
    );
    const guarded = Object.assign(parts, { limits, refusals, checkpoints });
    return Object.assign(guarded, { dataDir, file, key, tls, store, keeper, stream, own, engine, rules, pulse, owner: owned, sessions, access, routes, mesh });
  } catch (e) {
    store.close(); // bad options, a key not this cartridge's, an unwritable data folder: do not leave the cartridge open
    throw e;
  }
}
