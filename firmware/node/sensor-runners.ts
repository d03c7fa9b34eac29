import type { Value } from '../codec/value.js';
import type { EventEntry } from '../event/envelope.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import type { HalTime } from '../../hal/contracts/time.js';
import { buildFilters } from '../sensing/filters/build-filters.js';
import { openSensor } from '../sensing/open-sensor.js';
import { SensorRunner, type ValueFilter } from '../sensing/sensor-runner.js';
import type { HubClock } from './hub-clock.js';
import type { NodeConfig } from './node-config.js';
import type { NodeOutputs } from './node-outputs.js';

interface SensorWiring {
  backend: HalBackend;
  time: HalTime;
  clock: HubClock;
  outputs: NodeOutputs;
  /** Appends an event to the chain and the buffer (NodeApp.record). */
  record: (type: string, component: string, data: Value, time?: number) => EventEntry;
  /** Sends what is buffered now. */
  flush: () => void;
}

/**
 * One SensorRunner per configured sensor, in config order: its readings, state changes and
 * events recorded with times the event clock tells, its filters built once its channels are
 * known, and the driver attached to the node's outputs when it is one.
 */
export function sensorRunners(sensors: NodeConfig['sensors'], w: SensorWiring): SensorRunner[] {
  return sensors.map((s) => {
    const filters: Record<string, ValueFilter> = {};
    return new SensorRunner({
      name: s.name,
      time: w.time,
      intervalMs: s.intervalMs,
      checks: s.checks,
      filters,
      open: () => {
        const d = openSensor(s, {
          backend: w.backend,
          time: w.time,
          // An event (motion, a press) is news: it goes at once, not after uplink.maxDelayMs; from a fresh
          // turn, since it may come while a command is being applied (an output's read-back).
          onEvent: (sensor, e) => {
            w.record('sensor.event', sensor, restamp(w.clock, e) as unknown as Value, w.clock.stamp(e.time));
            w.time.setTimeout(() => w.flush(), 0);
          },
        });
        if (s.filters && s.filters.length)
          for (const ch of d.channels) if (ch.unit !== undefined && !filters[ch.name]) filters[ch.name] = buildFilters(s.filters);
        w.outputs.attach(s.name, d);
        return d;
      },
      onReading: (r) => w.record('sensor.reading', s.name, restamp(w.clock, r) as unknown as Value, w.clock.stamp(r.time)),
      onState: (ch) => w.record('sensor.state', s.name, { from: ch.from, to: ch.to, reason: ch.reason }, w.clock.stamp(ch.time)),
    });
  });
}

/** A sample's own time (read on the local clock) as the event clock tells it; unchanged while there is no correction. */
function restamp<T extends { time: number }>(clock: HubClock, x: T): T {
  return clock.offsetMs === 0 ? x : { ...x, time: clock.stamp(x.time) };
}
