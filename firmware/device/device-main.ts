/**
 * The device entry (manifest.json: creation.main). Moddable runs it after its
 * setup modules have joined Wi-Fi (config ssid/password) and set the clock
 * over SNTP, and calls the default export.
 *
 * The firmware build (fazt firmware build) puts the board definition and the
 * node configuration, both checked on the host, into the manifest's config:
 * mc/config's `fazt` = {board, node}. The node configuration is checked
 * again here against the node's own validators before anything starts.
 * The node uplinks to hub.url, or without one finds its hub by Beacon and
 * enrols with hub.token (device-node.ts, where the wiring lives so that
 * tests run it over the simulated ECMA-419 classes).
 */
// First: @noble/curves needs a global TextEncoder while its modules load.
import './text-encoder-global.js';
import HTTPClient from 'embedded:network/http/client';
import TCP from 'embedded:io/socket/tcp';
import UDP from 'embedded:io/socket/udp';
import Resolver from 'embedded:network/dns/resolver/udp';
import Instrumentation from 'instrumentation';
import config from 'mc/config';
import Time from 'time';
import Timer from 'timer';
import { ed25519 } from '@noble/curves/ed25519.js';
import { nobleCrypto } from '../crypto/noble-crypto.js';
import { nodeConfigFromJson } from '../node/node-config.js';
import { validateDocument } from '../schema/validate.js';
import type { Board } from '../../hal/board/board.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import { embeddedIo } from '../../hal/moddable/embedded-io-bindings.js';
import { deviceNode, type DeviceNode } from './device-node.js';
import { createModdableBackend } from '../../hal/moddable/moddable-backend.js';
import { moddableHealth } from '../../hal/moddable/moddable-health.js';
import { moddableStation } from '../../hal/moddable/moddable-station.js';
import { moddableTime } from '../../hal/moddable/moddable-time.js';

/** Moddable's debug output (xsbug in debug builds, the serial console otherwise). */
declare function trace(...values: unknown[]): void;

const log = (line: string): void => trace(`fazt: ${line}\n`);

interface FirmwareConfig {
  board: Board;
  node: unknown;
}

function firmwareConfig(): FirmwareConfig {
  const f = config.fazt as { board?: Partial<Board>; node?: unknown } | undefined;
  if (!f || typeof f !== 'object') throw new TypeError('mc/config has no fazt section: build with `fazt firmware build`');
  const board = f.board;
  if (!board || typeof board !== 'object' || typeof board.id !== 'string' || !Array.isArray(board.pins))
    throw new TypeError('mc/config fazt.board is not a board definition');
  if (board.runtime !== 'moddable') throw new TypeError(`board ${board.id} is not a Moddable board (runtime ${String(board.runtime)})`);
  return { board: board as Board, node: f.node };
}

/**
 * noble keeps a table of 1408 multiples of the base point once it has signed
 * (window 6): in xsnap that stayed at about 7,000 heap slots plus the
 * BigInts' chunks after GC, most of an ESP32's heap without PSRAM. Without
 * the table a signature took 3.5 M XS steps instead of 1.3 M: once a batch.
 */
function smallSigningTables(): void {
  ed25519.Point.BASE.precompute(1);
}

let node: DeviceNode | undefined;

export default function main(): void {
  try {
    const { board, node: json } = firmwareConfig();
    validateDocument('nodeConfig', json);
    const nodeConfig = nodeConfigFromJson(json);
    if (nodeConfig.board !== board.id) throw new TypeError(`node configuration is for board ${nodeConfig.board}, this firmware was built for ${board.id}`);
    smallSigningTables();
    node = deviceNode({
      config: nodeConfig,
      backend: createModdableBackend(
        new PinClaims(board),
        embeddedIo,
        moddableHealth({ instrumentation: Instrumentation, rssi: moddableStation.rssi, ticks: () => Time.ticks }),
      ),
      time: moddableTime(Timer),
      crypto: nobleCrypto,
      http: {
        io: HTTPClient,
        socket: { io: TCP },
        // The DNS servers DHCP gave the station, so LAN names resolve; an IPv4 address (a hub found by Beacon) needs none.
        dns: { io: Resolver, servers: moddableStation.dns(), socket: { io: UDP } },
      },
      log,
    });
    log(`node ${node.app.identity.id} on ${board.id} at ${moddableStation.ip() ?? '(no address)'}: ${nodeConfig.sensors.length} sensors, hub ${node.hub}`);
    node.start();
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    log(`cannot start: ${err.name ?? 'Error'}${err.code ? ` [${err.code}]` : ''}: ${err.message ?? String(e)}`);
  }
}
