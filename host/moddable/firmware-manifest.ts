import type { JsonValue } from '../../firmware/codec/json-form.js';
import type { Board } from '../../hal/board/board.js';

/**
 * The manifest a firmware build folder holds: the project's manifest.json
 * (modules, platforms, creation) plus what this one node needs, as
 * mcconfig's `config` (read on the device through mc/config) and `defines`
 * (C defines for Moddable's own modules).
 *
 *  config.fazt   {board, node}: the board definition and the node
 *                configuration, both validated on the host (device-main.ts
 *                validates the node configuration again on the device)
 *  config.i2c    the board's default I2C pins {sda, scl}
 *  defines.i2c   the same pins as Moddable's default bus (sda_pin/scl_pin):
 *                on the ESP32-C3 that is SDA 4/SCL 5, not the esp32c3
 *                target's 2/3 (GPIO2 is a strapping pin)
 *  config.ssid/password   Wi-Fi for Moddable's setup/network, when given
 */
export interface FirmwareManifestInput {
  /** Absolute path of the project's manifest.json. */
  projectManifest: string;
  board: Board;
  /** The node configuration in its JSON form (keys as 64 hex digits or {"$bytes": …}). */
  node: JsonValue;
  wifi?: { ssid: string; password?: string };
}

export interface FirmwareManifest {
  include: string[];
  config: { fazt: { board: Board; node: JsonValue }; i2c: { sda: number; scl: number }; ssid?: string; password?: string };
  defines: { i2c: { sda_pin: number; scl_pin: number } };
}

function defaultI2c(board: Board): { sda: number; scl: number } {
  const bus = board.i2c.buses.find((b) => b.default);
  if (!bus) throw new TypeError(`board ${board.id} has no default I2C bus`);
  return { sda: bus.sda, scl: bus.scl };
}

export function firmwareManifest(input: FirmwareManifestInput): FirmwareManifest {
  const { sda, scl } = defaultI2c(input.board);
  const config: FirmwareManifest['config'] = { fazt: { board: input.board, node: input.node }, i2c: { sda, scl } };
  if (input.wifi) {
    config.ssid = input.wifi.ssid;
    if (input.wifi.password !== undefined) config.password = input.wifi.password;
  }
  return { include: [input.projectManifest], config, defines: { i2c: { sda_pin: sda, scl_pin: scl } } };
}
