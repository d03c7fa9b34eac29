import type { Value } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { buildFilters } from '../../firmware/sensing/filters/build-filters.js';
import { openSensor } from '../../firmware/sensing/open-sensor.js';
import { SensorRunner, type ValueFilter } from '../../firmware/sensing/sensor-runner.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import type { SensorChannel } from '../../hal/drivers/sensor-driver.js';
import { SimBoard } from '../world/sim-board.js';
import { VirtualClock } from '../world/virtual-clock.js';
import { parseDuration } from '../../host/duration.js';
import type { Scenario, ScenarioBoard } from './scenario.js';
import { scenarioNodeSecret, scheduleScenarioFaults, type WiredDevice, wireScenarioDevices } from './scenario-wiring.js';

/**
 * A scenario, built and running in simulated time: one SimBoard per board,
 * the device models wired to its buses and pins, the environment as signals,
 * faults at their times, and the sensors running their real drivers through
 * the sim backend. Every reading, state change and driver event becomes a
 * signed-chain event of that board's node (its identity derives from the
 * scenario's seed and the board's name, so a rerun gives the same ids).
 */
export interface SimNode {
  name: string;
  board: SimBoard;
  nodeId: string;
  runners: SensorRunner[];
  /** Each sensor's channels (unit, range, resolution) once its driver opened. */
  channels: Map<string, readonly SensorChannel[]>;
  devices: Map<string, WiredDevice>;
  events: number;
}

export interface ScenarioRunOptions {
  /** Where events go (default: dropped; counted either way). */
  onEvent?: (node: SimNode, event: EventEntry) => void;
  /** Only these boards (by name). */
  boards?: string[];
  /** false: count events without building the hash chain (a benchmark baseline). Default true. */
  chain?: boolean;
}

export class ScenarioRun {
  readonly clock: VirtualClock;
  readonly nodes: SimNode[] = [];
  readonly startMs: number;

  constructor(
    readonly scenario: Scenario,
    private readonly options: ScenarioRunOptions = {},
  ) {
    this.startMs = scenario.start ? Date.parse(scenario.start) : Date.UTC(2026, 0, 1);
    this.clock = new VirtualClock(this.startMs);
    const only = options.boards;
    for (const b of scenario.boards) {
      if (only && only.indexOf(b.name) < 0) continue;
      this.nodes.push(this.buildBoard(b));
    }
    if (only) for (const name of only) if (!this.nodes.some((n) => n.name === name)) throw new RangeError(`scenario ${scenario.name} has no board '${name}'`);
  }

  get defaultDurationMs(): number {
    return this.scenario.duration === undefined ? 60_000 : parseDuration(this.scenario.duration, 'duration');
  }

  /** Runs simulated time forward by `ms`. */
  runFor(ms: number): void {
    this.clock.runFor(ms);
  }

  stop(): void {
    for (const n of this.nodes) for (const r of n.runners) r.stop();
  }

  private buildBoard(spec: ScenarioBoard): SimNode {
    const board = new SimBoard(spec.name, getBoard(spec.board), this.clock);
    const id = identityFromSecretKey(scenarioNodeSecret(this.scenario, spec.name), nodeCrypto);
    const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => Math.floor(this.clock.now()) });
    const node: SimNode = { name: spec.name, board, nodeId: id.id, runners: [], channels: new Map(), devices: new Map(), events: 0 };
    const chain = this.options.chain !== false;
    const emit = (type: string, component: string, data: Value, time?: number) => {
      node.events++;
      if (!chain) return;
      const e = log.append(type, component, data, time);
      this.options.onEvent?.(node, e);
    };

    for (const [name, dev] of wireScenarioDevices(this.scenario, spec, board, this.startMs)) node.devices.set(name, dev);

    for (const s of spec.sensors) {
      // Refuse a bad filter configuration now, naming the sensor, not at the first sample.
      if (s.filters) {
        try {
          buildFilters(s.filters);
        } catch (e) {
          throw new RangeError(`${spec.name}/${s.name}: ${(e as Error).message}`);
        }
      }
      const filters: Record<string, ValueFilter> = {};
      const runner = new SensorRunner({
        name: s.name,
        time: this.clock,
        intervalMs: s.intervalMs,
        checks: s.checks,
        open: () => {
          const driver = openSensor(s, {
            backend: board.backend,
            time: this.clock,
            onEvent: (sensor, e) => emit('sensor.event', sensor, e as unknown as Value, Math.floor(e.time)),
          });
          node.channels.set(s.name, driver.channels);
          if (s.filters && s.filters.length)
            for (const ch of driver.channels) if (ch.unit !== undefined && !filters[ch.name]) filters[ch.name] = buildFilters(s.filters);
          return driver;
        },
        filters,
        onReading: (r) => emit('sensor.reading', s.name, r as unknown as Value, r.time),
        onState: (c) => emit('sensor.state', s.name, { from: c.from, to: c.to, reason: c.reason }, c.time),
      });
      node.runners.push(runner);
      runner.start();
    }

    scheduleScenarioFaults(spec, node.devices, board.clock, this.startMs);
    return node;
  }
}
