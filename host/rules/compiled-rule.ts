import type { TopicMatcher } from '../../firmware/bus/topic.js';
import type { ActionDoc, RuleDocument, RuleMode, Scalar } from './rule-document.js';
import type { Schedule } from './schedule.js';
import type { Zone } from './zoned-time.js';

/**
 * A rule checked and made ready to run (compile-rule.ts): durations in ms,
 * node names resolved to ids, patterns and schedules compiled. Every part
 * keeps its JSON Pointer into the document, so a decision can name it.
 */
export interface CompiledRule {
  id: string;
  /** SHA-256 (hex) of the canonical form (rule-version.ts). */
  version: string;
  enabled: boolean;
  doc: RuleDocument;
  zone: Zone;
  mode: RuleMode;
  max: number;
  cooldownMs: number;
  triggers: CompiledTrigger[];
  conditions: CompiledCondition[];
  steps: CompiledStep[];
}

interface TriggerBase {
  id: string;
  path: string;
}

/** A series by node id: `key` is world.ts's seriesKey, `label` the way people wrote it. */
export interface SeriesTarget {
  node: string;
  key: string;
  label: string;
}

export type CompiledTrigger =
  | (TriggerBase & { kind: 'event'; type: string; matches: TopicMatcher; node?: string; component?: string; data?: Record<string, Scalar> })
  | (TriggerBase & { kind: 'numeric'; series: SeriesTarget; above?: number; below?: number; hysteresis: number; forMs: number })
  | (TriggerBase & { kind: 'state'; series: SeriesTarget; from?: Scalar[]; to?: Scalar[]; forMs: number })
  | (TriggerBase & { kind: 'schedule'; text: string; schedule: Schedule })
  | (TriggerBase & { kind: 'absence'; node: string; component?: string; label: string; forMs: number });

export type CompiledCondition =
  | { kind: 'and' | 'or'; path: string; items: CompiledCondition[] }
  | { kind: 'not'; path: string; item: CompiledCondition }
  | { kind: 'numeric'; path: string; series: SeriesTarget; above?: number; below?: number }
  | { kind: 'state'; path: string; series: SeriesTarget; is: Scalar[] }
  | { kind: 'time'; path: string; after?: number; before?: number; days?: boolean[] }
  | { kind: 'trigger'; path: string; ids: string[] };

export type CompiledStep =
  | { kind: 'delay'; path: string; ms: number }
  | { kind: 'action'; path: string; if?: CompiledCondition; action: ActionDoc; node?: string; output?: string; durations: Record<string, number> };

/** What the engine needs of an enrolled node: its id, its name, and optionally its outputs (to turn a pin into an output's name). */
export interface NodeRef {
  id: string;
  name?: string | null;
  outputs?: readonly { name: string; pin: number }[];
  /** Set when the name stands for one sensor of the chain `id` rather than a node: the hub's BLE device, whose series carry this component. */
  component?: string;
}
