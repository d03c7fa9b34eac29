import type { SensorConfig } from '../../firmware/sensing/open-sensor.js';
import type { SignalSpec } from '../environment/signals.js';

/** A scenario file (schemas/scenario.schema.json), as TypeScript. */
/** Sensors in a scenario are configured exactly as on a node. */
type ScenarioSensor = SensorConfig;

interface ScenarioDevice {
  name: string;
  model: string;
  i2c?: { sda?: number; scl?: number; address: number };
  pin?: number;
  signals?: Record<string, SignalSpec>;
  events?: (string | number)[];
  params?: Record<string, unknown>;
}

export interface ScenarioFault {
  at: string | number;
  device: string;
  kind: 'nack' | 'stuck-bus' | 'crc' | 'unplug' | 'spike' | 'slow';
  duration?: string | number;
  count?: number;
  signal?: string;
  delta?: number;
  ms?: number;
}

export interface ScenarioBoard {
  name: string;
  board: string;
  devices: ScenarioDevice[];
  sensors: ScenarioSensor[];
  faults?: ScenarioFault[];
}

export interface Scenario {
  name: string;
  seed?: number;
  start?: string;
  duration?: string | number;
  boards: ScenarioBoard[];
}
