import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { EventEntry } from '../event/envelope.js';
import type { EventLogHead } from '../event/event-log.js';
import type { Transport, UplinkResult } from '../uplink/transport.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import type { Ota } from '../../hal/contracts/ota.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import type { HalTime } from '../../hal/contracts/time.js';
import type { NodeConfig } from './node-config.js';

/** What a NodeApp (firmware/node/node-app.ts) is made of: its configuration and the seams it runs on. */
export interface NodeAppOptions {
  config: NodeConfig;
  backend: HalBackend;
  time: HalTime;
  crypto: CryptoProvider;
  transport: Transport;
  /** Every event the node records, as it is recorded (for a local display). */
  onEvent?: (event: EventEntry) => void;
  onUplink?: (result: UplinkResult, batch: { first: number; last: number; bytes: number }) => void;
  log?: (line: string) => void;
  /** Where the node's chain continues from (a restart with persisted state); `preferences` holding a head win. */
  head?: EventLogHead;
  /** Where the chain head and the last command seq survive a restart (firmware/node/node-state.ts). */
  preferences?: Preferences;
  /** Random bytes for the downlink polls' nonces; without it they derive from the key and the clock at boot (poll-nonce.ts). */
  entropy?: (n: number) => Uint8Array;
  /** The version of the image running (default FIRMWARE_VERSION; the simulator's comes from the slot it booted). */
  firmware?: string;
  /** Firmware updates (firmware/ota/ota-updater.ts): the OTA backend and how to reboot into a committed image. */
  ota?: { backend: Ota; restart: () => void };
}
