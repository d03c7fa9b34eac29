import { fromJsonValue } from '../codec/json-form.js';
import { fromHex } from '../codec/text-encodings.js';
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
   * fingerprint: the hub's HTTPS certificate (sha256:<hex>) a Node-runtime
   * node pins for an https url (host/node/fetch-transport.ts).
   */
  hub: { url?: string; publicKey: Uint8Array; token?: string; fingerprint?: string };
  /**
   * The owner's other hubs (a mesh, README "Mesh"): the node trusts their
   * keys as it trusts hub.publicKey (acknowledgements, signed heads,
   * commands, each hub numbering its own commands) and, with a url, uplinks
   * to them when the hub it reached last cannot be reached (hubTransport).
   */
  otherHubs?: OtherHub[];
  sensors: SensorConfig[];
  /**
   * downlinkPollMs: the longest the node goes without asking its hub for commands (default DEFAULT_DOWNLINK_POLL_MS; 0: never polls).
   * form: how batches travel (default 'compact', firmware/batch/compact-batch.ts; 'full' sends every entry whole).
   */
  uplink: { batchSize: number; maxDelayMs: number; downlinkPollMs?: number; form?: 'compact' | 'full' };
  buffer: { budgetBytes: number };
  /** Where event times come from (default 'hub'; see firmware/node/hub-clock.ts). */
  clock?: ClockMode;
  /** How often the node records system.health (default DEFAULT_HEALTH_INTERVAL_MS, 15 min; 0: never). */
  health?: { intervalMs: number };
  /** always-on (the default) or deep-sleep: wake every wakeEveryMs (or on wakePin), sample, uplink, sleep (firmware/node/sleep-cycle.ts). */
  power?: PowerConfig;
}

/** Another of the owner's hubs: its key and, to uplink to it, its address (fingerprint: as hub.fingerprint). */
interface OtherHub {
  url?: string;
  publicKey: Uint8Array;
  fingerprint?: string;
}

type PowerConfig = { mode: 'always-on' } | { mode: 'deep-sleep'; wakeEveryMs: number; wakePin?: number };

/** Commands reach a node within this long when the config does not say (README "The downlink"). */
export const DEFAULT_DOWNLINK_POLL_MS = 5000;

const HEX32 = /^[0-9a-fA-F]{64}$/;

function keyBytes(v: unknown, field: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string' && HEX32.test(v)) return fromHex(v.toLowerCase());
  throw new TypeError(`node configuration: ${field} must be 64 hex digits or {"$bytes": …}`);
}

/**
 * A node configuration's JSON form (validated against its schema) in the
 * data model. Its keys come as hex, the one form people read and type, or
 * as the JSON form's {"$bytes": …}; both become bytes here.
 */
export function nodeConfigFromJson(json: unknown): NodeConfig {
  const doc = fromJsonValue(json) as unknown as Omit<NodeConfig, 'secretKey' | 'hub' | 'otherHubs'> & {
    secretKey: unknown;
    hub: NodeConfig['hub'] & { publicKey: unknown };
    otherHubs?: (OtherHub & { publicKey: unknown })[];
  };
  const c: NodeConfig = {
    ...doc,
    secretKey: keyBytes(doc.secretKey, 'secretKey'),
    hub: { ...doc.hub, publicKey: keyBytes(doc.hub.publicKey, 'hub.publicKey') },
    otherHubs: undefined,
  };
  if (doc.otherHubs) c.otherHubs = doc.otherHubs.map((h, i) => ({ ...h, publicKey: keyBytes(h.publicKey, `otherHubs[${i}].publicKey`) }));
  else delete c.otherHubs;
  return c;
}

/** Every hub key the node trusts: hub.publicKey first, then otherHubs' in their order. */
export function hubKeys(c: Pick<NodeConfig, 'hub' | 'otherHubs'>): Uint8Array[] {
  return [c.hub.publicKey, ...(c.otherHubs ?? []).map((h) => h.publicKey)];
}
