import type { Intent } from './intents.js';

/**
 * What the engine produces. `fired`: a run started and these are its first
 * actions (up to its first delay); `continued`: a run went on after a delay;
 * `stopped`: loop protection stopped the rule (no actions; `reason` says why).
 */
export interface Firing {
  rule: string;
  version: string;
  /** The engine's time when it decided, ms since the epoch. */
  at: number;
  outcome: 'fired' | 'continued' | 'stopped';
  /** Counts the rule's runs from the engine's start. */
  run: number;
  /** The id of the trigger that started the run. */
  trigger: string;
  /** Ids of the events that caused it, oldest first. */
  causes: string[];
  actions: Intent[];
  reason?: string;
}

/**
 * One decision the engine took about a rule, kept when tracing (explain.ts):
 * a window that opened, broke or was voided, a trigger that fired and what
 * became of it.
 */
export interface TraceEntry {
  at: number;
  what:
    | 'window-start'
    | 'window-broken'
    | 'window-void'
    | 'trigger'
    | 'conditions-false'
    | 'cooldown'
    | 'busy'
    | 'queued'
    | 'queue-full'
    | 'cancelled'
    | 'step-skipped'
    | 'fired'
    | 'continued'
    | 'stopped'
    | 'rule';
  /** JSON Pointer of the part of the rule concerned. */
  path: string;
  message: string;
  events: string[];
}
