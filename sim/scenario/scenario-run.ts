import { createHash } from 'node:crypto';
import type { Value } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { buildFilters } from '../../firmware/sensing/filters/build-filters.js';
import { openSensor } from '../../firmware/sensing/open-sensor.js';
import { SensorRunner, type ValueFilter } from '../../firmware/sensing/sensor-runner.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { signalFromSpec, type Signal } from '../environment/signals.js';
import type { SensorChannel } from '../../hal/drivers/sensor-driver.js';
import type { I2cDeviceModel } from '../i2c/i2c-device-model.js';
import { MODELS } from '../models/model-registry.js';
import { SimBoard } from '../world/sim-board.js';
import { VirtualClock } from '../world/virtual-clock.js';
import { parseDuration } from '../../host/duration.js';
import type { Scenario, ScenarioBoard, ScenarioFault } from './scenario.js';

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
  devices: Map<string, { model?: I2cDeviceModel; bus?: { stuck: boolean }; signals: Map<string, Signal> }>;
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

  private seedFor(...parts: string[]): number {
    return createHash('sha256')
      .update(`${this.scenario.seed ?? 1}/${parts.join('/')}`)
      .digest()
      .readUInt32BE(0);
  }

  private buildBoard(spec: ScenarioBoard): SimNode {
    const board = new SimBoard(spec.name, getBoard(spec.board), this.clock);
    const secret = new Uint8Array(
      createHash('sha256')
        .update(`fazt-sim/${this.scenario.seed ?? 1}/${spec.name}`)
        .digest(),
    );
    const id = identityFromSecretKey(secret, nodeCrypto);
    const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => Math.floor(this.clock.now()) });
    const node: SimNode = { name: spec.name, board, nodeId: id.id, runners: [], channels: new Map(), devices: new Map(), events: 0 };
    const chain = this.options.chain !== false;
    const emit = (type: string, component: string, data: Value, time?: number) => {
      node.events++;
      if (!chain) return;
      const e = log.append(type, component, data, time);
      this.options.onEvent?.(node, e);
    };

    for (const d of spec.devices) {
      const entry = MODELS[d.model];
      if (!entry) throw new RangeError(`${spec.name}/${d.name}: unknown model '${d.model}'; known: ${Object.keys(MODELS).join(', ')}`);
      const params = d.params ?? {};
      if (entry.kind === 'i2c') {
        if (!d.i2c) throw new TypeError(`${spec.name}/${d.name}: model ${d.model} needs an i2c section`);
        const model = entry.create(d.i2c.address, this.clock, params);
        board.attachI2c(model, d.i2c);
        const signals = new Map<string, Signal>();
        for (const [name, s] of Object.entries(d.signals ?? {})) {
          const f = signalFromSpec(s, this.seedFor(spec.name, d.name, name));
          signals.set(name, f);
          model.setSignal(name, (t) => f(t - this.startMs));
        }
        node.devices.set(d.name, { model, bus: board.bus(d.i2c.sda, d.i2c.scl), signals });
      } else {
        if (d.pin === undefined) throw new TypeError(`${spec.name}/${d.name}: model ${d.model} needs a pin`);
        const model = entry.create({ pins: board.pins, gpio: d.pin, clock: this.clock, params });
        for (const at of d.events ?? []) model.eventAt(this.startMs + parseDuration(at, 'events'));
        node.devices.set(d.name, { signals: new Map() });
      }
    }

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

    for (const f of spec.faults ?? []) this.scheduleFault(node, f);
    return node;
  }

  private scheduleFault(node: SimNode, f: ScenarioFault): void {
    const dev = node.devices.get(f.device);
    if (!dev) throw new RangeError(`${node.name}: fault names unknown device '${f.device}'`);
    const at = parseDuration(f.at, 'fault.at');
    const lasts = f.duration === undefined ? 0 : parseDuration(f.duration, 'fault.duration');
    const model = dev.model;
    if (!model) throw new RangeError(`${node.name}/${f.device}: faults apply to I2C devices`);
    const later = (ms: number, act: () => void) => void this.clock.setTimeout(act, this.startMs + ms - this.clock.now());
    switch (f.kind) {
      case 'nack':
        later(at, () => model.nackNext(f.count ?? 1));
        break;
      case 'crc':
        later(at, () => model.corruptNext(f.count ?? 1));
        break;
      case 'unplug':
        later(at, () => model.unplug());
        if (lasts) later(at + lasts, () => model.replug());
        break;
      case 'stuck-bus':
        later(at, () => void ((dev.bus as { stuck: boolean }).stuck = true));
        if (lasts) later(at + lasts, () => void ((dev.bus as { stuck: boolean }).stuck = false));
        break;
      case 'slow':
        later(at, () => model.slow(f.ms ?? 100));
        if (lasts) later(at + lasts, () => model.slow(0));
        break;
      case 'spike': {
        const name = f.signal ?? '';
        const base = dev.signals.get(name) ?? (() => 0);
        const delta = f.delta ?? 0;
        const from = at;
        const to = at + (lasts || 1);
        model.setSignal(name, (t) => base(t - this.startMs) + (t - this.startMs >= from && t - this.startMs < to ? delta : 0));
        break;
      }
    }
  }
}
