import type { CompiledStep } from './compiled-rule.js';
import type { OutputOp } from './rule-document.js';

/**
 * What a firing asks the hub to do: plain data, carried out by the hub (the
 * engine does no I/O). The hub writes every event it makes for an intent
 * (effect.requested, effect.notify, an emitted event) with `rule` and `causes`
 * from the firing in its data, and `command` with the id of a command it
 * queued: lineage.ts follows those links to stop a rule that re-triggers itself.
 */
export type Intent =
  /** For cartridge.commands.enqueue(node, {output, op, ms, duty}, {notAfterMs: notAfter, cause}). `pin` only when no output name was known for it. */
  | { kind: 'output'; node: string; output?: string; pin?: number; op: OutputOp; ms?: number; duty?: number; notAfter: number }
  /** A JSON POST; on failure retried `retries` times after backoffMs, 2×backoffMs, … */
  | { kind: 'webhook'; url: string; body: unknown; timeoutMs: number; retries: number; backoffMs: number }
  /** An effect.notify event on the hub's chain (and the SSE stream). */
  | { kind: 'notify'; message: string; title?: string; level: 'info' | 'warning' | 'alert' }
  /** An event on the hub's chain; `data` already holds `rule` and `causes`. */
  | { kind: 'emit'; type: string; component: string; data: Record<string, unknown> };

export interface FiringContext {
  rule: string;
  version: string;
  at: number;
  trigger: string;
  causes: readonly string[];
}

export function intentFor(step: CompiledStep & { kind: 'action' }, ctx: FiringContext): Intent {
  const a = step.action;
  switch (a.kind) {
    case 'output': {
      const out: Intent = { kind: 'output', node: step.node as string, op: a.op, notAfter: ctx.at + step.durations.expires };
      if (step.output !== undefined) out.output = step.output;
      else out.pin = a.pin;
      if (a.ms !== undefined) out.ms = a.ms;
      if (a.duty !== undefined) out.duty = a.duty;
      return out;
    }
    case 'webhook':
      return {
        kind: 'webhook',
        url: a.url,
        body: a.body ?? { rule: ctx.rule, version: ctx.version, at: ctx.at, trigger: ctx.trigger, causes: [...ctx.causes] },
        timeoutMs: step.durations.timeout,
        retries: a.retries ?? 3,
        backoffMs: step.durations.backoff,
      };
    case 'notify': {
      const n: Intent = { kind: 'notify', message: a.message, level: a.level ?? 'info' };
      if (a.title !== undefined) n.title = a.title;
      return n;
    }
    case 'emit':
      return { kind: 'emit', type: a.type, component: a.component ?? 'rules', data: { ...a.data, rule: ctx.rule, causes: [...ctx.causes] } };
    case 'delay':
      throw new TypeError('a delay is a step, not an intent');
  }
}
