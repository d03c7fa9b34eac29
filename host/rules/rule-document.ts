/**
 * A rule as its author writes it (schemas/rule.schema.json). Durations are
 * "30s"-style strings or whole milliseconds; node references are ids or names.
 */
export type Duration = string | number;
export type Scalar = string | number | boolean;
type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A node's sensor and one reading name; without name, the sensor's lifecycle state. */
export interface SeriesRef {
  node: string;
  component: string;
  name?: string;
}

export type TriggerDoc =
  | { kind: 'event'; id?: string; type: string; node?: string; component?: string; match?: Record<string, Scalar> }
  | { kind: 'numeric'; id?: string; series: SeriesRef; above?: number; below?: number; hysteresis?: number; for?: Duration }
  | { kind: 'state'; id?: string; series: SeriesRef; from?: Scalar | Scalar[]; to?: Scalar | Scalar[]; for?: Duration }
  | { kind: 'time'; id?: string; at: string; days?: Weekday[] }
  | { kind: 'cron'; id?: string; cron: string }
  | { kind: 'absence'; id?: string; node: string; component?: string; for: Duration };

export type ConditionDoc =
  | { kind: 'and' | 'or'; conditions: ConditionDoc[] }
  | { kind: 'not'; condition: ConditionDoc }
  | { kind: 'numeric'; series: SeriesRef; above?: number; below?: number }
  | { kind: 'state'; series: SeriesRef; is: Scalar | Scalar[] }
  | { kind: 'time'; after?: string; before?: string; days?: Weekday[] }
  | { kind: 'trigger'; ids: string[] };

export type OutputOp = 'on' | 'off' | 'toggle' | 'pulse' | 'duty';

export type ActionDoc =
  | {
      kind: 'output';
      if?: ConditionDoc;
      node: string;
      output?: string;
      pin?: number;
      op: OutputOp;
      ms?: number;
      duty?: number;
      allowStrapping?: boolean;
      expires?: Duration;
    }
  | { kind: 'webhook'; if?: ConditionDoc; url: string; body?: Record<string, unknown>; timeout?: Duration; retries?: number; backoff?: Duration }
  | { kind: 'notify'; if?: ConditionDoc; message: string; title?: string; level?: 'info' | 'warning' | 'alert' }
  | { kind: 'emit'; if?: ConditionDoc; type: string; component?: string; data?: Record<string, unknown> }
  | { kind: 'delay'; for: Duration };

export type RuleMode = 'single' | 'restart' | 'queued';

export interface RuleDocument {
  id: string;
  name: string;
  description?: string;
  version?: 1;
  enabled?: boolean;
  timeZone?: string;
  triggers: TriggerDoc[];
  conditions?: ConditionDoc[];
  actions: ActionDoc[];
  mode?: RuleMode;
  max?: number;
  cooldown?: Duration;
}
