import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { BleHub } from '../ble/ble-hub.js';
import { checkBleHubOptions } from '../ble/ble-hub-options.js';
import { systemTimers } from '../time/system-timers.js';
import type { HubBeacon } from '../beacon/hub-beacon.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import type { RuleService } from '../effect/rule-service.js';
import type { PerceptEngine } from '../percept/percept-engine.js';
import { resolvePerceptOptions } from '../percept/percept-options.js';
import { shippedDirOnDisk } from '../assets/shipped-files.js';
import type { PulseService } from '../pulse/pulse-service.js';
import { MeshNats } from '../mesh/nats/mesh-nats.js';
import { resolveMeshNats } from '../mesh/nats/nats-options.js';
import { HaBridge } from '../mqtt/ha-bridge.js';
import { resolveMqtt } from '../mqtt/mqtt-options.js';
import type { Cartridge } from '../store/cartridge.js';
import type { StoredListener } from '../store/stored-hook.js';
import type { Timekeeper } from '../time/timekeeper.js';
import { DashboardFiles } from './dashboard-files.js';
import { listenHub } from './hub-listen.js';
import type { HubLog } from './hub-log.js';
import type { HubAddress, HubOptions } from './hub-options.js';
import { drainServer, stopServices } from './hub-shutdown.js';
import { type HubParts, wireHub } from './hub-wiring.js';
import { SILENT_AFTER_MS, startOperations } from './operations.js';
import { checkBackupOptions } from './backup-schedule.js';
import { checkRetentionPolicy } from './retention-schedule.js';
import { formatOpRecord } from './op-log.js';
import { DEFAULT_BODY_LIMIT } from './read-body.js';
import { ConnectionCap } from './connection-cap.js';
import { resolveHubLimits } from './hub-limits.js';
import type { Routes } from './route.js';
import { serveRequest } from './serve-request.js';
import { type HubListener, hubListener } from './tls/hub-listener.js';
import type { MeshHub } from '../mesh/mesh-hub.js';

export { CARTRIDGE_FILE } from './hub-wiring.js';

/**
 * The hub: its cartridge, its key and the HTTP API on node:http, with HTTPS
 * beside it when it listens beyond loopback (tls/hub-listener.ts). start()
 * wires everything (hub-wiring.ts) and listens (hub-listen.ts); stop() stops
 * listening, ends the event streams, lets requests in flight finish (a short
 * grace, then cuts them; hub-shutdown.ts) and closes the cartridge.
 */
export class Hub {
  private readonly options: HubOptions;
  private readonly crypto: CryptoProvider;
  /** What start() wired; its key, clock, owner and routes stay readable after stop(). */
  private parts: HubParts | undefined;
  /** Set while the hub listens: from the end of start() to the end of stop(). */
  private listener: HubListener | undefined;
  private address: HubAddress | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Scheduled backups and the log of nodes coming and going. */
  private ops: { stop(): Promise<void> } | undefined;
  /** Replication over NATS JetStream, when configured (HubOptions.meshNats). */
  private meshNats: MeshNats | undefined;
  /** Home Assistant over MQTT, when configured (HubOptions.mqtt). */
  private ha: HaBridge | undefined;
  /** BTHome devices heard by the hub itself, when configured (HubOptions.ble). */
  private bleHub: BleHub | undefined;

  constructor(options: HubOptions = {}) {
    this.options = options;
    this.crypto = options.crypto ?? nodeCrypto;
    const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1024) throw new RangeError(`bodyLimit must be at least 1024 bytes, got ${limit}`);
    if (typeof options.percepts === 'object') resolvePerceptOptions(options.percepts); // refused here, not at start
    if (options.backups) checkBackupOptions(options.backups);
    if (options.retention) checkRetentionPolicy(options.retention);
    if (options.meshNats) resolveMeshNats(options.meshNats); // refused here, not at start
    if (options.mqtt) resolveMqtt(options.mqtt);
    if (options.ble) checkBleHubOptions(options.ble);
    resolveHubLimits(options.limits); // refused here, not at start
  }

  /** The parts once started (also after stop). */
  private get wired(): HubParts {
    if (!this.parts) throw new Error('the hub is not started');
    return this.parts;
  }

  /** The parts while the hub runs. */
  private get running(): HubParts | undefined {
    return this.listener ? this.parts : undefined;
  }

  /** The SHA-256 fingerprint of the certificate the hub serves HTTPS with (sha256:<hex>); undefined on loopback, where it serves plain HTTP only. */
  get fingerprint(): string | undefined {
    const { tls } = this.wired;
    return this.listener ? tls?.fingerprint : undefined;
  }

  /** The hub's public key (its identity towards nodes and other hubs). */
  get publicKey(): Uint8Array {
    return this.wired.key.publicKey;
  }

  get cartridge(): Cartridge {
    const parts = this.running;
    if (!parts) throw new Error('the hub is not started');
    return parts.store;
  }

  /** The hub's one clock. */
  get timekeeper(): Timekeeper {
    return this.wired.keeper;
  }

  /** The hub's own signed chain: where it appends the events it makes (percepts, later effects and beats). */
  get hubLog(): HubLog {
    const parts = this.running;
    if (!parts) throw new Error('the hub is not started');
    return parts.own;
  }

  /** The percept engine, when enabled (HubOptions.percepts). */
  get percepts(): PerceptEngine | undefined {
    return this.running?.engine;
  }

  /** The live rules and their effects, when enabled (HubOptions.rules). */
  get rules(): RuleService | undefined {
    return this.running?.rules;
  }

  /** Pulse, when enabled (HubOptions.pulse). */
  get pulse(): PulseService | undefined {
    return this.running?.pulse;
  }

  /** After every commit, the entries stored (nodes' and the hub's own, in commit order); returns the unsubscribe (host/store/stored-hook.ts). */
  onStored(listener: StoredListener): () => void {
    return this.cartridge.onStored(listener);
  }

  /** The mesh: paired hubs, sync rounds, forks and refusals (host/mesh/). */
  get mesh(): MeshHub {
    return this.wired.mesh;
  }

  /** The hub's BLE sensors, when it scans (HubOptions.ble). */
  get ble(): BleHub | undefined {
    return this.running ? this.bleHub : undefined;
  }

  /** The LAN beacon, when enabled. */
  get beacon(): HubBeacon | undefined {
    return this.running?.lan;
  }

  /** The route table: every path and method with who may call it (host/hub/route.ts). */
  get routes(): Routes {
    return this.wired.routes;
  }

  /** The hub's local admin token, as written to `<data>/owner.token`. */
  get ownerToken(): string {
    return this.wired.owner.token;
  }

  /** A one-time sign-in link for a browser (single use, 10 minutes; for an interactive terminal only, never a log). */
  signinLink(): string {
    const { owner, sessions, keeper } = this.wired;
    if (!this.address) throw new Error('the hub is not started');
    return `${this.address.url}/signin?code=${sessions.mintCode(owner.id, Math.floor(keeper.now()))}`;
  }

  async start(): Promise<HubAddress> {
    if (this.listener) throw new Error('the hub is already started');
    const listenHost = this.options.host ?? '127.0.0.1';
    const live = { rules: () => this.rules, pulse: () => this.pulse };
    const parts = await wireHub(this.options, this.crypto, listenHost, live, (r) => this.log(r));
    const { routes, access, tls, limits, refusals } = parts;
    const files = new DashboardFiles(this.options.dashboardDir ?? shippedDirOnDisk('dist/dashboard'));
    const listener = hubListener(
      (req, res) => {
        if (!this.stopping && files.serve(req, res, new URL(req.url ?? '/', 'http://hub').pathname)) return;
        void serveRequest(routes, access, req, res, this.stopping, (r) => this.log(r), refusals);
      },
      tls,
      listenHost,
      { limits, cap: new ConnectionCap(limits.connectionsPerAddress), refusals },
    );
    const at = { port: this.options.port ?? 7070, host: listenHost, beacon: this.options.beacon };
    const addr = await listenHub(parts, listener.server, at, this.crypto, (r) => this.log(r));
    const { dataDir, store, own, keeper } = parts;
    this.ops = startOperations({
      ...this.options,
      dataDir,
      cartridge: store,
      hubLog: own,
      meshHub: parts.mesh,
      crypto: this.crypto,
      clock: () => keeper.now(),
      log: (r) => this.log(r),
    });
    this.parts = parts;
    this.listener = listener;
    this.stopping = false;
    this.stopped = undefined;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const https = tls && { url: `https://${host}:${addr.port}`, fingerprint: tls.fingerprint };
    this.address = {
      url: `http://${host}:${addr.port}`,
      host: addr.address,
      port: addr.port,
      cartridge: parts.file,
      hubId: parts.key.id,
      ...(https ? { https } : {}),
    };
    if (this.options.meshNats) {
      const log = (r: Record<string, unknown>) => this.log(r);
      const at = { options: this.options.meshNats, cartridge: store, hubId: parts.key.id, mesh: parts.mesh.store, log };
      this.meshNats = await MeshNats.start(at).catch(async (e: unknown) => {
        await this.stop();
        throw e;
      });
    }
    const { mqtt, timers, silentAfterMs } = this.options;
    if (mqtt) {
      const log = (r: Record<string, unknown>) => this.log(r);
      const at = { options: mqtt, cartridge: store, hubLog: own, clock: () => keeper.now(), log };
      this.ha = new HaBridge({ ...at, timers: timers ?? systemTimers(), silentAfterMs: silentAfterMs ?? SILENT_AFTER_MS }, parts.key.id);
      await this.ha.start();
    }
    if (this.options.ble) {
      const log = (r: Record<string, unknown>) => this.log(r);
      this.bleHub = new BleHub(this.options.ble, {
        cartridge: store,
        hubLog: own,
        clock: () => keeper.now(),
        timers: this.options.timers ?? systemTimers(),
        log,
      });
      try {
        this.bleHub.start();
      } catch (e) {
        await this.stop();
        throw e;
      }
    }
    return this.address;
  }

  /** Home Assistant over MQTT, when configured. */
  get homeAssistant(): HaBridge | undefined {
    return this.running ? this.ha : undefined;
  }

  /** Idempotent: a second call waits for the first. */
  stop(graceMs = 2000): Promise<void> {
    if (!this.stopped) this.stopped = this.parts && this.listener ? this.shutdown(this.parts, this.listener, graceMs) : Promise.resolve();
    return this.stopped;
  }

  private async shutdown(parts: HubParts, listener: HubListener, graceMs: number): Promise<void> {
    this.stopping = true;
    this.bleHub?.stop();
    this.bleHub = undefined;
    await this.meshNats?.stop();
    this.meshNats = undefined;
    await this.ha?.stop();
    this.ha = undefined;
    await parts.keeper.stop();
    await parts.lan?.stop();
    parts.lan = undefined;
    parts.stream.closeAll();
    await drainServer(listener, graceMs);
    await this.ops?.stop();
    this.ops = undefined;
    await stopServices(parts);
    this.listener = undefined;
  }

  private log(record: Record<string, unknown>): void {
    const line = formatOpRecord(record, this.options.logFormat, Date.now());
    if (this.options.log) this.options.log(line);
    else process.stderr.write(line + '\n');
  }
}
