import type { Value, ValueMap } from '../codec/value.js';
import type { NodeConfig } from './node-config.js';

/** Copies the fields of `from` named in `keys` that are set (a config built in code may leave some undefined). */
function pick(from: object, keys: readonly string[]): ValueMap {
  const out: ValueMap = {};
  const o = from as Record<string, unknown>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k] as Value;
  return out;
}

/**
 * What a node tells its hub about its configuration in its system.boot (as an
 * ESPHome device lists its entities): each sensor's driver, where it is wired
 * and its schedule, and how the node uplinks. Never its keys or the hub's
 * address, token or certificate: those stay on the node.
 */
export function declaredConfig(c: NodeConfig): ValueMap {
  const out: ValueMap = {
    sensors: c.sensors.map((s) => {
      const d = pick(s, ['name', 'driver', 'pin', 'intervalMs', 'options', 'filters', 'checks']);
      if (s.i2c) d.i2c = pick(s.i2c, ['bus', 'sda', 'scl', 'address', 'hz']);
      return d;
    }),
    uplink: pick(c.uplink, ['batchSize', 'maxDelayMs', 'downlinkPollMs', 'form']),
    bufferBytes: c.buffer.budgetBytes,
  };
  if (c.clock !== undefined) out.clock = c.clock;
  if (c.health) out.healthMs = c.health.intervalMs;
  // A sleeping node is heard once a wake: the hub can tell that from silence.
  if (c.power) out.power = pick(c.power, ['mode', 'wakeEveryMs', 'wakePin']);
  return out;
}
