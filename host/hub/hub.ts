import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { resolve, join } from 'node:path';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import type { HubBeacon } from '../beacon/hub-beacon.js';
import { RuleService } from '../effect/rule-service.js';
import { PerceptEngine } from '../percept/percept-engine.js';
import { HubMetrics } from '../pulse/hub-metrics.js';
import { PulseCounters } from '../pulse/pulse-counters.js';
import { PulseService } from '../pulse/pulse-service.js';
import { resolvePerceptOptions } from '../percept/percept-options.js';
import { Cartridge } from '../store/cartridge.js';
import type { StoredListener } from '../store/stored-hook.js';
import { Timekeeper } from '../time/timekeeper.js';
import { apiRoutes } from './api.js';
import type { Routes } from './route.js';
import { GroupCommit } from './group-commit.js';
import { EventStream } from './event-stream.js';
import { FailureLimit } from './failure-limit.js';
import { OwnerAccess } from './owner-access.js';
import { ensureOwnerToken } from './owner-token-file.js';
import { SessionBook } from './sessions.js';
import { loadOrCreateHubKey } from './hub-key.js';
import { HubLog } from './hub-log.js';
import type { HubAddress, HubOptions } from './hub-options.js';
import { lanBeacon } from './lan-beacon.js';
import { DEFAULT_BODY_LIMIT } from './read-body.js';
import { serveRequest } from './serve-request.js';
import { type HubCertificate, loadOrCreateHubCertificate } from './tls/hub-certificate.js';
import { type HubListener, hubListener } from './tls/hub-listener.js';
import { isLoopback } from './tls/loopback.js';
import { DashboardFiles } from './dashboard-files.js';
import { startOperations } from './operations.js';
import { checkBackupOptions } from './backup-schedule.js';
import { formatOpRecord } from './op-log.js';
import { projectRoot } from '../project-root.js';

export const CARTRIDGE_FILE = 'fazt.db';

/**
 * The hub: its cartridge, its key and the HTTP API on node:http, with HTTPS
 * beside it when it listens beyond loopback (tls/hub-listener.ts). start()
 * opens everything and listens; stop() stops listening, ends the event
 * streams, lets requests in flight finish (a short grace, then cuts them)
 * and closes the cartridge.
 */
export class Hub {
  private readonly options: HubOptions;
  private readonly crypto: CryptoProvider;
  private server: Server | undefined;
  private listener: HubListener | undefined;
  private tls: HubCertificate | undefined;
  private stream: EventStream | undefined;
  private store: Cartridge | undefined;
  private key: NodeIdentity | undefined;
  private keeper: Timekeeper | undefined;
  private lan: HubBeacon | undefined;
  private own: HubLog | undefined;
  private engine: PerceptEngine | undefined;
  private ruleService: RuleService | undefined;
  private pulseService: PulseService | undefined;
  private owner: { token: string; id: string } | undefined;
  private sessions: SessionBook | undefined;
  private address: HubAddress | undefined;
  private table: Routes | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private ops: { stop(): Promise<void> } | undefined;

  constructor(options: HubOptions = {}) {
    this.options = options;
    this.crypto = options.crypto ?? nodeCrypto;
    const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1024) throw new RangeError(`bodyLimit must be at least 1024 bytes, got ${limit}`);
    if (typeof options.percepts === 'object') resolvePerceptOptions(options.percepts); // refused here, not at start
    if (options.backups) checkBackupOptions(options.backups);
  }

  /** The SHA-256 fingerprint of the certificate the hub serves HTTPS with (sha256:<hex>); undefined on loopback, where it serves plain HTTP only. */
  get fingerprint(): string | undefined {
    if (!this.key) throw new Error('the hub is not started');
    return this.tls?.fingerprint;
  }

  /** The hub's public key (its identity towards nodes and other hubs). */
  get publicKey(): Uint8Array {
    if (!this.key) throw new Error('the hub is not started');
    return this.key.publicKey;
  }

  get cartridge(): Cartridge {
    if (!this.store) throw new Error('the hub is not started');
    return this.store;
  }

  /** The hub's one clock. */
  get timekeeper(): Timekeeper {
    if (!this.keeper) throw new Error('the hub is not started');
    return this.keeper;
  }

  /** The hub's own signed chain: where it appends the events it makes (percepts, later effects and beats). */
  get hubLog(): HubLog {
    if (!this.own) throw new Error('the hub is not started');
    return this.own;
  }

  /** The percept engine, when enabled (HubOptions.percepts). */
  get percepts(): PerceptEngine | undefined {
    return this.engine;
  }

  /** The live rules and their effects, when enabled (HubOptions.rules). */
  get rules(): RuleService | undefined {
    return this.ruleService;
  }

  /** Pulse, when enabled (HubOptions.pulse). */
  get pulse(): PulseService | undefined {
    return this.pulseService;
  }

  /** After every commit, the entries stored (nodes' and the hub's own, in commit order); returns the unsubscribe (host/store/stored-hook.ts). */
  onStored(listener: StoredListener): () => void {
    return this.cartridge.onStored(listener);
  }

  /** The LAN beacon, when enabled. */
  get beacon(): HubBeacon | undefined {
    return this.lan;
  }

  /** The route table: every path and method with who may call it (host/hub/route.ts). */
  get routes(): Routes {
    if (!this.table) throw new Error('the hub is not started');
    return this.table;
  }

  /** The hub's local admin token, as written to `<data>/owner.token`. */
  get ownerToken(): string {
    if (!this.owner) throw new Error('the hub is not started');
    return this.owner.token;
  }

  /** A one-time sign-in link for a browser (single use, 10 minutes; for an interactive terminal only, never a log). */
  signinLink(): string {
    if (!this.owner || !this.sessions || !this.address || !this.keeper) throw new Error('the hub is not started');
    return `${this.address.url}/signin?code=${this.sessions.mintCode(this.owner.id, Math.floor(this.keeper.now()))}`;
  }

  async start(): Promise<HubAddress> {
    if (this.server) throw new Error('the hub is already started');
    const dataDir = resolve(this.options.dataDir ?? './fazt-data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const listenHost = this.options.host ?? '127.0.0.1';
    const file = join(dataDir, CARTRIDGE_FILE);
    let keeper: Timekeeper | undefined;
    const clock = () => (keeper as Timekeeper).now();
    const store = Cartridge.open(file, {
      crypto: this.crypto,
      clock,
      onListenerError: (e) => this.log({ level: 'error', code: 'stored-listener', message: (e as Error)?.message ?? String(e) }),
    });
    let key: NodeIdentity;
    let tls: HubCertificate | undefined;
    try {
      key = loadOrCreateHubKey(store, dataDir, this.crypto, (n) => new Uint8Array(randomBytes(n)));
      // Beyond loopback the LAN could read every answer: HTTPS with a certificate for the hub's key.
      tls = isLoopback(listenHost) ? undefined : await loadOrCreateHubCertificate(store.hubIdentity, dataDir, key, listenHost);
    } catch (e) {
      store.close(); // a key that is not this cartridge's: do not leave it open
      throw e;
    }
    const t = this.options.time ?? {};
    let lan: HubBeacon | undefined;
    try {
      keeper = new Timekeeper({
        identity: key,
        crypto: this.crypto,
        store: store.clockState,
        system: this.options.clock,
        mode: t.mode,
        pollMs: t.pollMs,
        timeoutMs: t.timeoutMs,
        halfLifeMs: t.halfLifeMs,
        peers: () =>
          lan
            ? lan
                .peers()
                .filter((p) => p.record.kind === 'hub' && p.record.services.includes('time'))
                .map((p) => ({ id: p.record.id, url: p.url, publicKey: p.record.key }))
            : [],
        log: (r) => this.log(r),
      });
    } catch (e) {
      store.close(); // bad time options: do not leave the cartridge open
      throw e;
    }
    const stream = new EventStream({ heartbeatMs: this.options.heartbeatMs });
    // Everything stored goes out on the event stream as it commits, the hub's own events too.
    store.onStored((entries) => stream.publish(entries));
    const metrics = new HubMetrics({ cartridge: store, hubId: key.id, streamClients: () => stream.size });
    store.onStored((entries) => metrics.observe(entries));
    const counters = new PulseCounters(key.id);
    store.onStored((entries, receivedAt) => counters.observe(entries, receivedAt));
    const own = new HubLog({ cartridge: store, identity: key, crypto: this.crypto, clock });
    const p = this.options.percepts;
    const engine = p ? new PerceptEngine({ cartridge: store, hubLog: own, clock, options: p === true ? {} : p, log: (r) => this.log(r) }) : undefined;
    const r = this.options.rules;
    const rules = r ? new RuleService({ ...(r === true ? {} : r), cartridge: store, hubLog: own, clock, log: (x) => this.log(x) }) : undefined;
    const po = this.options.pulse;
    let pulse: PulseService | undefined;
    try {
      pulse = po
        ? new PulseService({
            ...(po === true ? {} : po),
            ...{ cartridge: store, hubLog: own, clock, counters, streamClients: () => stream.size, timekeeper: keeper },
            ...{ beacon: () => lan, rules: () => rules, log: (x) => this.log(x), notApplicable: keeper.mode === 'peers' ? [] : ['hub.time'] },
          })
        : undefined;
    } catch (e) {
      store.close(); // bad checks: do not leave the cartridge open
      throw e;
    }
    let owner: ReturnType<typeof ensureOwnerToken>;
    try {
      owner = ensureOwnerToken(dataDir, store.tokens, Math.floor(keeper.now()));
    } catch (e) {
      store.close(); // an unwritable data folder: do not leave the cartridge open
      throw e;
    }
    const sessions = new SessionBook(this.crypto, (n) => new Uint8Array(randomBytes(n)));
    const access = new OwnerAccess(store.tokens, sessions, clock);
    const routes: Routes = {
      ...apiRoutes({
        cartridge: store,
        commits: new GroupCommit(store),
        stream,
        hubKey: key,
        crypto: this.crypto,
        bodyLimit: this.options.bodyLimit ?? DEFAULT_BODY_LIMIT,
        clock,
        timekeeper: keeper,
        beacon: () => lan,
        rules: () => this.ruleService,
        metrics,
        counters,
        pulse: () => this.pulseService,
        access,
        sessions,
        failures: { signin: new FailureLimit(), enroll: new FailureLimit() },
        hubLog: () => own,
      }),
      ...this.options.extraRoutes,
    };
    const files = new DashboardFiles(this.options.dashboardDir ?? join(projectRoot(), 'dist', 'dashboard'));
    const listener = hubListener(
      (req, res) => {
        if (!this.stopping && files.serve(req, res, new URL(req.url ?? '/', 'http://hub').pathname)) return;
        void serveRequest(routes, access, req, res, this.stopping, (r) => this.log(r));
      },
      tls,
      listenHost,
    );
    const server = listener.server;
    try {
      engine?.start(); // rebuilt from the log before the first uplink is taken
      rules?.start(); // replays the log: every for: window resumes where it stood
      pulse?.start(); // judges the stored beats again: statuses carry on, nothing is said twice
      await new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(this.options.port ?? 7070, listenHost, () => {
          server.off('error', fail);
          ok();
        });
      });
    } catch (e) {
      engine?.stop();
      await rules?.stop();
      pulse?.stop();
      store.close();
      throw e;
    }
    const addr = server.address() as AddressInfo;
    const b = this.options.beacon;
    if (b) {
      lan = lanBeacon(b, { identity: key, crypto: this.crypto, clock, apiPort: addr.port, cache: store.peers, log: (r) => this.log(r) });
      try {
        await lan.start();
      } catch (e) {
        await new Promise<void>((ok) => server.close(() => ok()));
        engine?.stop();
        await rules?.stop();
        pulse?.stop();
        store.close();
        throw e;
      }
    }
    keeper.start();
    this.ops = startOperations({ ...this.options, dataDir, cartridge: store, hubLog: own, clock, log: (r) => this.log(r) });
    this.server = server;
    this.listener = listener;
    this.tls = tls;
    this.stream = stream;
    this.store = store;
    this.key = key;
    this.keeper = keeper;
    this.lan = lan;
    this.own = own;
    this.engine = engine;
    this.ruleService = rules;
    this.pulseService = pulse;
    this.owner = { token: owner.token, id: owner.record.id };
    this.sessions = sessions;
    this.table = routes;
    this.stopping = false;
    this.stopped = undefined;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const https = tls && { url: `https://${host}:${addr.port}`, fingerprint: tls.fingerprint };
    this.address = { url: `http://${host}:${addr.port}`, host: addr.address, port: addr.port, cartridge: file, hubId: key.id, ...(https ? { https } : {}) };
    return this.address;
  }

  /** Idempotent: a second call waits for the first. */
  stop(graceMs = 2000): Promise<void> {
    if (!this.stopped) this.stopped = this.server && this.listener ? this.shutdown(this.server, this.listener, graceMs) : Promise.resolve();
    return this.stopped;
  }

  private async shutdown(server: Server, listener: HubListener, graceMs: number): Promise<void> {
    this.stopping = true;
    await this.keeper?.stop();
    await this.lan?.stop();
    this.lan = undefined;
    this.stream?.closeAll();
    const closed = new Promise<void>((ok) => server.close(() => ok()));
    // Connections go idle as their last responses finish: close them as they do, cut the rest after the grace.
    const sweep = setInterval(() => listener.closeIdleConnections(), 20);
    const cut = setTimeout(() => listener.closeAllConnections(), graceMs);
    listener.closeIdleConnections();
    await closed;
    clearInterval(sweep);
    clearTimeout(cut);
    this.engine?.stop();
    this.engine = undefined;
    await this.ruleService?.stop();
    this.ruleService = undefined;
    this.pulseService?.stop();
    this.pulseService = undefined;
    await this.ops?.stop();
    this.ops = undefined;
    this.own = undefined;
    this.store?.close();
    this.server = undefined;
    this.listener = undefined;
    this.tls = undefined;
    this.store = undefined;
    this.stream = undefined;
  }

  private log(record: Record<string, unknown>): void {
    const line = formatOpRecord(record, this.options.logFormat, Date.now());
    if (this.options.log) this.options.log(line);
    else process.stderr.write(line + '\n');
  }
}
