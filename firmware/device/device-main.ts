/**
 * The device entry (manifest.json: creation.main). Moddable runs it after its
 * setup modules have joined Wi-Fi (config ssid/password, when the build has
 * them) and set the clock over SNTP, and calls the default export. Wi-Fi
 * credentials provisioned over Improv serial (Preferences domain "wifi")
 * come first: the entry joins them itself with the `wifi` module before the
 * node starts (wifi-boot.ts).
 *
 * The firmware build (fazt firmware build) puts the board definition and the
 * node configuration, both checked on the host, into the manifest's config:
 * mc/config's `fazt` = {board, node}. The node configuration is checked
 * again here against the node's own validators before anything starts.
 * The node keeps its chain head and last command seq in NVS (Moddable's
 * preference module), so a restart continues its chain.
 * The node uplinks to hub.url, or without one finds its hub by Beacon and
 * enrols with hub.token (device-node.ts, where the wiring lives so that
 * tests run it over the simulated ECMA-419 classes).
 * Firmware updates go through Moddable's `ota` module with the bootloader's
 * rollback state from the project's native fazt/esp32 (which also restarts
 * into a committed image), and a deep-sleep configuration sleeps through
 * fazt/esp32 (README "Firmware over the air", "Battery nodes: deep sleep").
 */
import Analog from 'embedded:io/analog';
import Serial from 'embedded:io/serial';
import HTTPClient from 'embedded:network/http/client';
import TCP from 'embedded:io/socket/tcp';
import UDP from 'embedded:io/socket/udp';
import Resolver from 'embedded:network/dns/resolver/udp';
import Instrumentation from 'instrumentation';
import config from 'mc/config';
import Preference from 'preference';
import Time from 'time';
import Timer from 'timer';
import { Digest } from 'crypt';
import * as ed25519 from 'fazt/ed25519';
import * as esp32 from 'fazt/esp32';
import OTA from 'ota';
import { moddableCrypto } from '../crypto/moddable-crypto.js';
import WiFi from 'wifi';
import { nodeConfigFromJson } from '../node/node-config.js';
import { validateDocument } from '../schema/validate.js';
import type { Board } from '../../hal/board/board.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import { embeddedIo } from '../../hal/moddable/embedded-io-bindings.js';
import { deviceNode, type DeviceNode } from './device-node.js';
import { FIRMWARE_VERSION } from '../node/node-app.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import { createModdableBackend } from '../../hal/moddable/moddable-backend.js';
import { type Ecma419AnalogClass, moddableBattery } from '../../hal/moddable/moddable-battery.js';
import { moddablePreferences } from '../../hal/moddable/moddable-preferences.js';
import { type Ecma419SerialClass, moddableSerial } from '../../hal/moddable/moddable-serial.js';
import { moddableWifiJoin } from '../../hal/moddable/moddable-wifi.js';
import { wifiBoot } from './wifi-boot.js';
import { moddableHealth } from '../../hal/moddable/moddable-health.js';
import { moddableOta } from '../../hal/moddable/moddable-ota.js';
import { moddableSleep } from '../../hal/moddable/moddable-sleep.js';
import { moddableStation } from '../../hal/moddable/moddable-station.js';
import { moddableTime } from '../../hal/moddable/moddable-time.js';

/** Moddable's debug output (xsbug in debug builds, the serial console otherwise). */
declare function trace(...values: unknown[]): void;

const log = (line: string): void => trace(`fazt: ${line}\n`);

// The SDK's typings (typings/embedded_io/serial.d.ts, analog.d.ts) are stricter than its esp32 code:
// they require a transmit or receive pin (serial.c defaults both to UART_PIN_NO_CHANGE) and omit
// Analog's close; mcconfig's tsc refuses the build over them, so the classes are typed as used.
const SerialIo = Serial as unknown as Ecma419SerialClass;
const AnalogIo = Analog as unknown as Ecma419AnalogClass;

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

let node: DeviceNode | undefined;

export default function main(): void {
  try {
    const { board, node: json } = firmwareConfig();
    validateDocument('nodeConfig', json);
    const nodeConfig = nodeConfigFromJson(json);
    if (nodeConfig.board !== board.id) throw new TypeError(`node configuration is for board ${nodeConfig.board}, this firmware was built for ${board.id}`);
    const time = moddableTime(Timer);
    const built = config as { ssid?: unknown; password?: unknown };
    wifiBoot({
      prefs: moddablePreferences(Preference),
      built: { ssid: built.ssid, password: built.password },
      join: moddableWifiJoin(WiFi, time),
      openSerial: (o) => moddableSerial(SerialIo, o),
      device: { firmware: 'fazt', version: FIRMWARE_VERSION, chip: `${board.id}/${board.soc}`, name: nodeConfig.name ?? board.id },
      start: () => startNode(board, nodeConfig, time),
      log,
    });
  } catch (e) {
    cannotStart(e);
  }
}

function startNode(board: Board, nodeConfig: ReturnType<typeof nodeConfigFromJson>, time: ReturnType<typeof moddableTime>): void {
  try {
    const io = createModdableBackend(
      new PinClaims(board),
      embeddedIo,
      moddableHealth({ instrumentation: Instrumentation, rssi: moddableStation.rssi, ticks: () => Time.ticks }),
    );
    const wiring = board.battery;
    const backend: HalBackend = wiring ? { ...io, battery: () => moddableBattery(AnalogIo, wiring) } : io;
    node = deviceNode({
      config: nodeConfig,
      backend,
      time,
      // SHA-256 and Ed25519 in native code: the SDK's Digest, libsodium (firmware/crypto/native/).
      crypto: moddableCrypto({ Digest, ed25519 }),
      http: {
        io: HTTPClient,
        socket: { io: TCP },
        // The DNS servers DHCP gave the station, so LAN names resolve; an IPv4 address (a hub found by Beacon) needs none.
        dns: { io: Resolver, servers: moddableStation.dns(), socket: { io: UDP } },
      },
      log,
      // NVS: the chain head and the last command seq survive a restart (firmware/node/node-state.ts).
      preferences: moddablePreferences(Preference),
      // The next OTA slot through Moddable's `ota`; pending verification, confirm and rollback through fazt/esp32.
      ota: { backend: moddableOta(OTA, esp32), restart: esp32.restart },
      sleep: moddableSleep(esp32),
    });
    log(`node ${node.app.identity.id} on ${board.id} at ${moddableStation.ip() ?? '(no address)'}: ${nodeConfig.sensors.length} sensors, hub ${node.hub}`);
    node.start();
  } catch (e) {
    cannotStart(e);
  }
}

function cannotStart(e: unknown): void {
  const err = e as { name?: string; code?: string; message?: string };
  log(`cannot start: ${err.name ?? 'Error'}${err.code ? ` [${err.code}]` : ''}: ${err.message ?? String(e)}`);
}
