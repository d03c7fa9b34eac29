import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { BleHubOptions } from '../ble/ble-hub-options.js';
import type { Timers } from '../../hal/contracts/time.js';
import type { MeshNatsOptions } from '../mesh/nats/nats-options.js';
import type { MqttOptions } from '../mqtt/mqtt-options.js';
import type { RuleServiceOptions } from '../effect/rule-service.js';
import type { PerceptOptions } from '../percept/percept-options.js';
import type { PulseOptions } from '../pulse/pulse-service.js';
import type { TimeMode } from '../time/timekeeper.js';
import type { HubLimits } from './hub-limits.js';
import type { LanBeaconOptions } from './lan-beacon.js';
import type { LogFormat } from './op-log.js';
import type { SyncRoundOptions } from '../mesh/sync-round.js';
import type { Routes } from './route.js';
import type { RetentionPolicy } from './retention-schedule.js';

export interface HubOptions {
  /** Where the cartridge (fazt.db) and hub-key.json live (default ./fazt-data). */
  dataDir?: string;
  host?: string;
  /** 0 picks a free port (tests). Default 7070. */
  port?: number;
  /** Largest uplink body in bytes (default 256 KiB). */
  bodyLimit?: number;
  /**
   * The system clock the Timekeeper starts from (default Date.now). Everything
   * else (received_at, enrolment, invites, acks, the beacon) reads the
   * Timekeeper's clock, never this directly.
   */
  clock?: () => number;
  /** Announce on the LAN and track peers (SSDP). Off unless asked: it sends multicast beyond loopback. */
  beacon?: LanBeaconOptions;
  time?: { mode?: TimeMode; pollMs?: number; timeoutMs?: number; halfLifeMs?: number };
  heartbeatMs?: number;
  /** Turn readings and node events into percepts on the hub's own chain (host/percept/); off unless given. */
  percepts?: boolean | PerceptOptions;
  /** Run rules (host/rules/) and carry out their effects (host/effect/); off unless given. */
  rules?: boolean | Omit<RuleServiceOptions, 'cartridge' | 'hubLog' | 'clock' | 'log'>;
  /** Beat: collect, judge and store the hub's and the nodes' health (host/pulse/); off unless given. */
  pulse?: boolean | PulseOptions;
  crypto?: CryptoProvider;
  /** Routes added to the API by the command that starts the hub (the simulator's controls under `fazt start`). */
  extraRoutes?: Routes;
  /** The built dashboard served at / (default <project>/dist/dashboard). */
  dashboardDir?: string;
  /** The hub's log lines: enrolments, refusals, nodes coming and going, backups, internal errors (default: stderr). */
  log?: (line: string) => void;
  /** Lines for people (plain) or machines (json, with `time`); unset: the JSON record alone (host/hub/op-log.ts). */
  logFormat?: LogFormat;
  /** Scheduled online backups (host/hub/backup-schedule.ts): every `everyMs`, the newest `keep`, in `dir` (default <dataDir>/backups). */
  backups?: { everyMs: number; keep: number; dir?: string };
  /** The start check (host/store/check-cartridge.ts): each chain's newest `recent` seqs rehashed (default 256). */
  startCheck?: { recent?: number };
  /** A node is logged silent after this long without a batch (default 15 minutes); a sleeping node after at least three of its wakes. */
  silentAfterMs?: number;
  /** The timers of the backup schedule and the silence check (default Node's; a virtual clock's in tests). */
  timers?: Timers;
  /**
   * The mesh (host/mesh/): `background` runs a sync round against every paired hub (found by Beacon without a url) every
   * `intervalMs` (fazt hub --mesh, --mesh-interval); `round` overrides every round's page size or transport.
   * Without it the hub still answers paired hubs and the owner's `fazt mesh sync`.
   */
  mesh?: { background?: boolean; intervalMs?: number; round?: Partial<Pick<SyncRoundOptions, 'pageLimit' | 'post' | 'timeoutMs'>> };
  /** Replicate over NATS JetStream (host/mesh/nats/): the server's URL and credential files. */
  meshNats?: MeshNatsOptions;
  /** Agents over MCP (host/mcp/): how long an agent's proposed effect waits for a person's confirmation (default 10 minutes). */
  agents?: { confirmWithinMs?: number };
  /** Home Assistant over MQTT (host/mqtt/): the broker's URL, credential file and discovery prefix. */
  mqtt?: MqttOptions;
  /** BTHome devices as the hub's own sensors (host/ble/; fazt hub --ble): the scanner to listen with and the sensor settings. */
  ble?: BleHubOptions;
  /** Retention of raw readings (host/hub/retention-schedule.ts; fazt hub --retain-raw): off unless given. */
  retention?: RetentionPolicy;
  /** Against slow and abusive clients: header and request timeouts, connections per address, failed attempts, event stream bounds (host/hub/hub-limits.ts). */
  limits?: HubLimits;
}

export interface HubAddress {
  url: string;
  host: string;
  port: number;
  cartridge: string;
  hubId: string;
  /** Beyond loopback: the same port's HTTPS URL and the certificate's fingerprint (sha256:<hex>) clients pin. */
  https?: { url: string; fingerprint: string };
}
