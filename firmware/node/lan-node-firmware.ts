/**
 * The firmware of a node that finds its hub on the LAN: NodeApp, its uplink
 * carried by a HubLink (Beacon search for the invite's hub key, enrolment,
 * re-search when the hub goes). Portable (no Node), so the same wiring runs
 * inside XS (sim/xs/entries/lan-node-entry.ts) and on Node (lan-node.ts).
 */
import { HubLink, type HttpPost, type HubLinkEvent } from '../../firmware/beacon/hub-link.js';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { FIRMWARE_VERSION, NodeApp } from '../../firmware/node/node-app.js';
import type { NodeConfig } from '../../firmware/node/node-config.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import type { HalTime } from '../../hal/contracts/time.js';

/** How the node looks for its hub (plain JSON: it crosses into XS as is). */
export interface LanLinkConfig {
  /** The hub's public key, hex (from the invite). */
  hubKey: string;
  /** The invite token; null when the node is already enrolled. */
  token: string | null;
  group: string;
  port: number;
  searchWindowMs: number;
  retryMs: number;
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
    enrol: l.token === null ? undefined : { token: l.token, name: c.name, board: c.board },
    self: l.announce ? { kind: 'node', name: c.name ?? c.board, board: c.board, version: FIRMWARE_VERSION, services: [], addresses: l.announce, port: 0 } : undefined,
    group: l.group,
    port: l.port,
    searchWindowMs: l.searchWindowMs,
    retryMs: l.retryMs,
    onEvent: o.onLink,
  });
  const a = new NodeApp({ config: c, backend: o.backend, time: o.time, crypto: o.crypto, transport: link, onEvent: o.onEvent });
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
