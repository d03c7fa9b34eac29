import type { SignalSpec } from '../environment/signals.js';

/** A scenario file (schemas/scenario.schema.json), as TypeScript. */
export interface ScenarioSensor {
  name: string;
  driver: string;
  i2c?: { bus?: number; sda?: number; scl?: number; address: number; hz?: number };
  pin?: number;
  intervalMs: number;
  options?: Record<string, unknown>;
  filters?: Record<string, unknown>[];
  checks?: Record<string, { maxRatePerS?: number; stuckAfter?: number }>;
}

export interface ScenarioDevice {
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
