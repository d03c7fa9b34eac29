import { createHash } from 'node:crypto';
import { parseDuration } from '../../host/duration.js';
import { signalFromSpec, type Signal } from '../environment/signals.js';
import type { I2cDeviceModel } from '../i2c/i2c-device-model.js';
import { MODELS } from '../models/model-registry.js';
import type { SimBoard } from '../world/sim-board.js';
import type { VirtualClock } from '../world/virtual-clock.js';
import type { Scenario, ScenarioBoard, ScenarioFault } from './scenario.js';

/** A scenario device as wired to its board: the model (I2C), its bus and its signals. */
export interface WiredDevice {
  model?: I2cDeviceModel;
  bus?: { stuck: boolean };
  signals: Map<string, Signal>;
}

/** A seed from the scenario's seed and a path of names: a rerun draws the same numbers. */
function seedFor(scenario: Scenario, ...parts: string[]): number {
  return createHash('sha256')
    .update(`${scenario.seed ?? 1}/${parts.join('/')}`)
    .digest()
    .readUInt32BE(0);
}

/** A board's node key, from the scenario's seed and the board's name (a rerun gives the same node ids). */
export function scenarioNodeSecret(scenario: Scenario, board: string): Uint8Array {
  return new Uint8Array(
    createHash('sha256')
      .update(`fazt-sim/${scenario.seed ?? 1}/${board}`)
      .digest(),
  );
}

/**
 * Attaches a scenario board's device models to a simulated board: I2C chips
 * with their signals, pin devices (PIR, button) with their events, all on
 * the board's clock. The same wiring whichever runs the sensors (the
 * scenario runner in process, or node firmware in XS).
 */
export function wireScenarioDevices(scenario: Scenario, spec: ScenarioBoard, board: SimBoard, startMs: number): Map<string, WiredDevice> {
  const devices = new Map<string, WiredDevice>();
  const clock = board.clock;
  for (const d of spec.devices) {
    const entry = MODELS[d.model];
    if (!entry) throw new RangeError(`${spec.name}/${d.name}: unknown model '${d.model}'; known: ${Object.keys(MODELS).join(', ')}`);
    const params = d.params ?? {};
    if (entry.kind === 'i2c') {
      if (!d.i2c) throw new TypeError(`${spec.name}/${d.name}: model ${d.model} needs an i2c section`);
      const model = entry.create(d.i2c.address, clock, params);
      board.attachI2c(model, d.i2c);
      const signals = new Map<string, Signal>();
      for (const [name, s] of Object.entries(d.signals ?? {})) {
        const f = signalFromSpec(s, seedFor(scenario, spec.name, d.name, name));
        signals.set(name, f);
        model.setSignal(name, (t) => f(t - startMs));
      }
      devices.set(d.name, { model, bus: board.bus(d.i2c.sda, d.i2c.scl), signals });
    } else {
      if (d.pin === undefined) throw new TypeError(`${spec.name}/${d.name}: model ${d.model} needs a pin`);
      const model = entry.create({ pins: board.pins, gpio: d.pin, clock, params });
      for (const at of d.events ?? []) model.eventAt(startMs + parseDuration(at, 'events'));
      devices.set(d.name, { signals: new Map() });
    }
  }
  return devices;
}

/** Schedules a scenario board's faults on its wired devices, at their times from the start. */
export function scheduleScenarioFaults(spec: ScenarioBoard, devices: ReadonlyMap<string, WiredDevice>, clock: VirtualClock, startMs: number): void {
  for (const f of spec.faults ?? []) scheduleFault(spec.name, devices, clock, startMs, f);
}

function scheduleFault(board: string, devices: ReadonlyMap<string, WiredDevice>, clock: VirtualClock, startMs: number, f: ScenarioFault): void {
  const dev = devices.get(f.device);
  if (!dev) throw new RangeError(`${board}: fault names unknown device '${f.device}'`);
  const at = parseDuration(f.at, 'fault.at');
  const lasts = f.duration === undefined ? 0 : parseDuration(f.duration, 'fault.duration');
  const model = dev.model;
  if (!model) throw new RangeError(`${board}/${f.device}: faults apply to I2C devices`);
  const later = (ms: number, act: () => void) => void clock.setTimeout(act, startMs + ms - clock.now());
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
      model.setSignal(name, (t) => base(t - startMs) + (t - startMs >= from && t - startMs < to ? delta : 0));
      break;
    }
  }
}
