import type { OutputInfo } from '../../firmware/node/node-outputs.js';
import { haSensorKind } from './ha-units.js';

/**
 * Home Assistant's device-based MQTT discovery (HA 2024.11+, docs
 * integrations/mqtt "Device discovery payload"): one retained JSON document
 * per device on `<prefix>/device/<object_id>/config`, holding the device
 * (`dev`), the origin (`o`), shared availability and every entity under
 * `cmps`, each with a platform (`p`) and a unique_id. Pure: the bridge
 * (ha-bridge.ts) decides when to publish what these build.
 */

/** A reading the hub has stored for a node: one `sensor` or `binary_sensor` component. */
interface ReadingSeen {
  /** The component of the event's source (the sensor's name in the node config), e.g. bme280. */
  sensor: string;
  name: string;
  unit?: string;
  /** A value seen, for its type (number, boolean or text). */
  sample: number | boolean | string;
  /** When the bridge last saw it (the hub's clock), to forget a reading gone for good. */
  seenAt: number;
}

/** What discovery says about a Fazt node. */
export interface NodeDevice {
  id: string;
  name: string | null;
  board: string | null;
  firmware: string | null;
  /** The node's readings by component key (componentKey). */
  readings: Map<string, ReadingSeen>;
  outputs: OutputInfo[];
  /** Each sensor's declared interval (its latest system.boot), by sensor name. */
  intervals: Map<string, number>;
  /** How long the node may take to deliver a reading beyond its interval (its uplink delay or wake period). */
  latencyMs: number;
  /** Components to announce once more with only their platform (HA's removal of one component), then drop. */
  removing: Map<string, string>;
}

/** The topics of one bridge: states and commands under `root`, discovery under `prefix`. */
export class HaTopics {
  constructor(
    readonly root: string,
    readonly prefix: string,
  ) {}

  /** A reading's state: JSON {value, unit, quality, time}. */
  state(node: string, sensor: string, name: string): string {
    return `${this.root}/${node}/${sensor}/${name}`;
  }

  /** Where Home Assistant sends ON/OFF for an output. */
  command(node: string, output: string): string {
    return `${this.root}/${node}/${output}/set`;
  }

  /** online | offline, retained: the node's presence, or the hub's (its last will says offline). */
  availability(node: string): string {
    return `${this.root}/${node}/availability`;
  }

  /** The device discovery topic (object id fazt_<id>). */
  config(node: string): string {
    return `${this.prefix}/device/fazt_${node}/config`;
  }

  /** Home Assistant's birth and last will. */
  get status(): string {
    return `${this.prefix}/status`;
  }

  /** Every command topic, to subscribe. */
  get commands(): string {
    return `${this.root}/+/+/set`;
  }
}

/** The origin block (`o`): who publishes the discovery, required in device discovery (name; sw = sw_version). */
export interface Origin {
  name: string;
  sw: string;
}

/** A component key within a device: letters, digits, _ and - (HA's object id characters). */
export function componentKey(sensor: string, name: string): string {
  return `${sensor}_${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** The channel an output driver reads back (its reading's name): hal/drivers/digital-output and buzzer. */
const OUTPUT_CHANNEL: Readonly<Record<string, string>> = { 'digital-output': 'on', buzzer: 'playing' };

/** Outputs named like a lamp become lights; every other output is a switch. */
const LIGHT = /(^|[_.-])(led|light|lamp)s?($|[_.-])/;

/** The reading topic an output's state lives on (its driver's read-back channel). */
export function outputChannel(o: OutputInfo): string {
  return OUTPUT_CHANNEL[o.driver] ?? 'on';
}

/** Whether a reading is an output's read-back (shown by the output's switch, not as a sensor of its own). */
export function isOutputReading(outputs: readonly OutputInfo[], sensor: string, name: string): boolean {
  return outputs.some((o) => o.name === sensor && outputChannel(o) === name);
}

const ON_OFF = "{{ 'ON' if value_json.value else 'OFF' }}";

function readingComponent(t: HaTopics, d: NodeDevice, key: string, r: ReadingSeen): Record<string, unknown> {
  const kind = haSensorKind(r.name, r.unit, r.sample);
  const c: Record<string, unknown> = {
    p: kind.platform,
    unique_id: `fazt_${d.id}_${key}`,
    name: `${r.sensor} ${r.name}`,
    state_topic: t.state(d.id, r.sensor, r.name),
    value_template: kind.platform === 'binary_sensor' ? ON_OFF : '{{ value_json.value }}',
  };
  if (kind.deviceClass) c.device_class = kind.deviceClass;
  if (kind.stateClass) c.state_class = kind.stateClass;
  if (kind.unit) c.unit_of_measurement = kind.unit;
  // Slow reporters: HA shows "unavailable" once three of the node's reporting periods pass without a value.
  const every = d.intervals.get(r.sensor);
  if (every !== undefined) c.expire_after = Math.ceil((3 * Math.max(every, d.latencyMs)) / 1000);
  return c;
}

function outputComponent(t: HaTopics, d: NodeDevice, o: OutputInfo): Record<string, unknown> {
  return {
    p: outputPlatform(o.name),
    unique_id: `fazt_${d.id}_${o.name}_output`,
    name: o.name,
    command_topic: t.command(d.id, o.name),
    // The state is the node-signed read-back (effect.applied, the output's readings), never assumed from the command.
    state_topic: t.state(d.id, o.name, outputChannel(o)),
    state_value_template: ON_OFF,
    optimistic: false,
  };
}

/** The key of an output's component. */
export function outputKey(name: string): string {
  return `${name}_output`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** An output's platform: light for lamps, else switch. */
export function outputPlatform(name: string): 'light' | 'switch' {
  return LIGHT.test(name) ? 'light' : 'switch';
}

/** A node's device discovery payload: its readings and outputs, shown through the hub (via_device) and available while both are. */
export function nodeDiscovery(t: HaTopics, hubId: string, origin: Origin, d: NodeDevice): Record<string, unknown> {
  const cmps: Record<string, unknown> = {};
  for (const [key, platform] of d.removing) cmps[key] = { p: platform };
  for (const [key, r] of d.readings) if (!isOutputReading(d.outputs, r.sensor, r.name)) cmps[key] = readingComponent(t, d, key, r);
  for (const o of d.outputs) cmps[outputKey(o.name)] = outputComponent(t, d, o);
  const dev: Record<string, unknown> = { ids: [`fazt_${d.id}`], name: d.name ?? d.id, mf: 'Fazt', via_device: `fazt_${hubId}` };
  if (d.board) dev.mdl = d.board;
  if (d.firmware) dev.sw = d.firmware;
  return {
    dev,
    o: origin,
    avty: [{ topic: t.availability(hubId) }, { topic: t.availability(d.id) }],
    avty_mode: 'all',
    cmps,
    qos: 1,
  };
}

/** The hub's own device (what the nodes' via_device names): one connectivity sensor on its availability. */
export function hubDiscovery(t: HaTopics, hubId: string, origin: Origin): Record<string, unknown> {
  return {
    dev: { ids: [`fazt_${hubId}`], name: `Fazt hub ${hubId.slice(0, 8)}`, mf: 'Fazt', mdl: 'hub', sw: origin.sw },
    o: origin,
    cmps: {
      hub_connectivity: {
        p: 'binary_sensor',
        unique_id: `fazt_${hubId}_connectivity`,
        name: 'connectivity',
        device_class: 'connectivity',
        entity_category: 'diagnostic',
        state_topic: t.availability(hubId),
        payload_on: 'online',
        payload_off: 'offline',
      },
    },
    qos: 1,
  };
}
