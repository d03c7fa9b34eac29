/**
 * The firmware of a node that finds its hub on the LAN: NodeApp, its uplink
 * carried by a HubLink (Beacon search for the invite's hub key, enrolment,
 * re-search when the hub goes). Portable (no Node), so the same wiring runs
 * on a device (firmware/device/device-main.ts), inside XS
 * (sim/xs/entries/lan-node-entry.ts) and on Node (sim/node/lan-node.ts).
 */
import type { HttpPost } from '../../hal/contracts/http.js';
import { HubLink, type HubLinkEvent } from '../beacon/hub-link.js';
import { fromHex } from '../codec/text-encodings.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { EventEntry } from '../event/envelope.js';
import { identityFromSecretKey } from '../identity/node-id.js';
import type { UplinkResult } from '../uplink/transport.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import type { HalTime } from '../../hal/contracts/time.js';
import { FIRMWARE_VERSION, NodeApp, type NodeAppOptions } from './node-app.js';
import type { NodeConfig } from './node-config.js';

/** How the node looks for its hub (plain JSON: it crosses into XS as is). */
export interface LanLinkConfig {
  /** The hub's public key, hex (from the invite). */
  hubKey: string;
  /** The invite token; null when the node is already enrolled. */
  token: string | null;
  /**
   * The token stays in the node's configuration across restarts (a device
   * keeps it in flash and cannot remember that it enrolled): an invite-used
   * answer may be its own earlier enrolment, so the link tries the uplink
   * (see HubLinkOptions.enrol.persistent). Default false.
   */
  tokenPersists?: boolean;
  /** SSDP group and port (default 239.255.255.250:1900; tests move them). */
  group?: string;
  port?: number;
  /** How long one search listens (default 3 s). */
  searchWindowMs?: number;
  /** First wait after a search that found nothing (default 5 s, doubling to 60 s). */
  retryMs?: number;
  /** Announce the node too, from these addresses; null: only search. */
  announce: string[] | null;
}

export interface LanNodeFirmware {
  app: NodeApp;
  link: HubLink;
  start(): void;
  stop(): void;
}

export function lanNodeFirmware(o: {
  config: NodeConfig;
  link: LanLinkConfig;
  backend: HalBackend;
  time: HalTime;
  crypto: CryptoProvider;
  http: HttpPost;
  onLink: (event: HubLinkEvent) => void;
  onEvent?: (event: EventEntry) => void;
  onUplink?: (result: UplinkResult, batch: { first: number; last: number; bytes: number }) => void;
  log?: (line: string) => void;
  /** Where the chain head and the last command seq survive a restart (NodeAppOptions.preferences). */
  preferences?: Preferences;
  /** Firmware updates (NodeAppOptions.ota): chunks come from the hub the link found. */
  ota?: NodeAppOptions['ota'];
}): LanNodeFirmware {
  const c = o.config;
  const l = o.link;
  const link = new HubLink({
    udp: (options) => o.backend.udp(options),
    time: o.time,
    crypto: o.crypto,
    // NodeApp derives the same identity from the same key.
    identity: identityFromSecretKey(c.secretKey, o.crypto),
    hubKey: fromHex(l.hubKey),
    http: o.http,
    enrol: l.token === null ? undefined : { token: l.token, name: c.name, board: c.board, persistent: l.tokenPersists === true },
    self: l.announce
      ? { kind: 'node', name: c.name ?? c.board, board: c.board, version: FIRMWARE_VERSION, services: [], addresses: l.announce, port: 0 }
      : undefined,
    group: l.group,
    port: l.port,
    searchWindowMs: l.searchWindowMs,
    retryMs: l.retryMs,
    onEvent: o.onLink,
  });
  const a = new NodeApp({
    config: c,
    backend: o.backend,
    time: o.time,
    crypto: o.crypto,
    transport: link,
    onEvent: o.onEvent,
    onUplink: o.onUplink,
    log: o.log,
    preferences: o.preferences,
    ota: o.ota,
  });
  return {
    app: a,
    link,
    start: () => {
      link.start();
      a.start();
    },
    stop: () => {
      a.stop();
      link.stop();
    },
  };
}
