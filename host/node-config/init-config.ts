import type { SensorConfig } from '../../firmware/sensing/open-sensor.js';
import { checkNodeConfig, type NodeConfigProblem } from './node-config-check.js';
import { outputFromSpec, sensorFromSpec } from './sensor-spec.js';

/** What `fazt node init` was asked for, keys already in hex. */
export interface InitRequest {
  board: string;
  sensors: readonly string[];
  outputs: readonly string[];
  name?: string;
  intervalMs: number;
  secretKey: string;
  hub: { url?: string; publicKey: string; token?: string; fingerprint?: string };
  /** The owner's other hubs (--other-hub KEY[@URL]), in order. */
  otherHubs?: readonly { publicKey: string; url?: string }[];
}

/** A new node's configuration: batches small and frequent enough that a first try shows readings within seconds. */
export const UPLINK = { batchSize: 8, maxDelayMs: 5000 };
/** 64 KiB of unsent events: a few hours of a handful of sensors, in the RAM an ESP32-C3 (no PSRAM) can spare. */
const BUFFER = { budgetBytes: 65_536 };

/**
 * The node configuration (schemas/node-config.schema.json) `fazt node init`
 * writes, checked as `fazt node check` checks it. A problem is reported
 * against the flag that caused it (`--sensor pir@11: GPIO 11 …`), since the
 * person wrote flags, not JSON.
 */
export function initConfig(r: InitRequest): { doc: Record<string, unknown>; problems: string[] } {
  const sensors: SensorConfig[] = [];
  const flags: string[] = [];
  const names = new Set<string>();
  const add = (s: SensorConfig, flag: string) => {
    sensors.push(s);
    flags.push(flag);
    names.add(s.name);
  };
  for (const spec of r.sensors) add(sensorFromSpec(spec, r.intervalMs, names), `--sensor ${spec}`);
  for (const spec of r.outputs) add(outputFromSpec(spec, names), `--output ${spec}`);
  const hub: Record<string, string> = {};
  if (r.hub.url !== undefined) hub.url = r.hub.url;
  hub.publicKey = r.hub.publicKey;
  if (r.hub.token !== undefined) hub.token = r.hub.token;
  if (r.hub.fingerprint !== undefined) hub.fingerprint = r.hub.fingerprint;
  const doc: Record<string, unknown> = {
    $schema: 'https://fazt.dev/schemas/node-config.schema.json',
    ...(r.name !== undefined ? { name: r.name } : {}),
    board: r.board,
    secretKey: r.secretKey,
    hub,
    ...(r.otherHubs?.length ? { otherHubs: r.otherHubs.map((h) => ({ ...(h.url !== undefined ? { url: h.url } : {}), publicKey: h.publicKey })) } : {}),
    sensors,
    uplink: UPLINK,
    buffer: BUFFER,
  };
  return { doc, problems: checkNodeConfig(doc).map((p) => asFlag(p, flags)) };
}

const FLAG_OF: Record<string, string> = { board: '--board', name: '--name', 'hub.url': '--hub-url', 'hub.publicKey': '--hub-key', 'hub.token': '--token' };

function asFlag(p: NodeConfigProblem, flags: string[]): string {
  const m = /^sensors\[(\d+)\]/.exec(p.path);
  if (m) return `${flags[Number(m[1])]}: ${p.message}`;
  if (p.path.startsWith('otherHubs[')) return `--other-hub (${p.path}): ${p.message}`;
  const flag = FLAG_OF[p.path];
  return flag ? `${flag}: ${p.message}` : `${p.path}: ${p.message}`;
}
