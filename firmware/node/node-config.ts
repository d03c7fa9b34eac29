import type { SensorConfig } from '../sensing/open-sensor.js';
import type { ClockMode } from './hub-clock.js';

/**
 * A node's configuration (schemas/node-config.schema.json) in the data
 * model: byte strings are Uint8Array (fromJsonValue turns the JSON form's
 * {"$bytes": …} into them).
 */
export interface NodeConfig {
  name?: string;
  board: string;
  secretKey: Uint8Array;
  /**
   * url: the hub's address; without it the node finds the hub by Beacon
   * (signed by publicKey) and, given an invite token, enrols there.
   */
  hub: { url?: string; publicKey: Uint8Array; token?: string };
  sensors: SensorConfig[];
  uplink: { batchSize: number; maxDelayMs: number };
  buffer: { budgetBytes: number };
  /** Where event times come from (default 'hub'; see firmware/node/hub-clock.ts). */
  clock?: ClockMode;
}
