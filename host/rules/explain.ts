import type { ReplayOptions } from './backtest.js';
import { evaluate, type Verdict } from './conditions.js';
import { RuleEngine } from './engine.js';
import { feed, type RecordedEvent } from './feed.js';
import type { Firing, TraceEntry } from './firing.js';
import type { RuleRuntime } from './rule-runtime.js';

export interface ExplainOptions extends ReplayOptions {
  /** How far before `at` a firing or a decision still answers "at" (default 10 min). */
  window?: number;
}

export interface Explanation {
  rule: string;
  version: string;
  at: number;
  /** One sentence: why it fired, or why not. */
  verdict: string;
  /** Firings in (at − window, at]. */
  fired: Firing[];
  /** Each trigger's state at `at`: a window open, broken, void after a gap, waiting, … */
  triggers: { id: string; path: string; kind: string; state: string }[];
  /** Each top-level condition judged at `at`. */
  conditions: Verdict[];
  /** The rule's decisions in (at − window, at], newest last (at most 50). */
  decisions: TraceEntry[];
}

const SUPPRESSED: readonly TraceEntry['what'][] = ['conditions-false', 'cooldown', 'busy', 'queue-full', 'stopped', 'window-broken', 'window-void'];

/**
 * Why a rule fired at `at`, or why not: the log replayed up to `at` through
 * an engine that keeps its decisions, then read back. The answer comes from
 * the stored events alone, so it is the same whenever it is asked.
 */
export function explain(rule: unknown, at: number, events: Iterable<RecordedEvent>, options: ExplainOptions = {}): Explanation {
  const window = options.window ?? 600_000;
  const engine = new RuleEngine({
    timeZone: options.timeZone,
    nodes: options.nodes,
    hubId: options.hubId,
    maxChain: options.maxChain,
    followRuleEvents: false,
    trace: true,
  });
  const compiled = engine.addRule({ ...(rule as object), enabled: true });
  const fired: Firing[] = [];
  feed([engine], events, { until: at, exclusive: false }, (_, fs) => {
    for (const f of fs) if (f.at > at - window && f.at <= at) fired.push(f);
  });
  const rt = engine.runtime(compiled.id) as RuleRuntime;
  const decisions = (rt.trace ?? []).filter((d) => d.at > at - window && d.at <= at).slice(-50);
  const ctx = rt.conditionContext('');
  return {
    rule: compiled.id,
    version: compiled.version,
    at,
    verdict: verdict(fired, decisions, rt, at - window),
    fired,
    triggers: rt.describeTriggers(),
    conditions: compiled.conditions.map((c) => evaluate(c, ctx)),
    decisions,
  };
}

function verdict(fired: Firing[], decisions: TraceEntry[], rt: RuleRuntime, since: number): string {
  const iso = (t: number) => new Date(t).toISOString();
  const last = fired[fired.length - 1];
  if (last && last.outcome === 'stopped') return `stopped at ${iso(last.at)}: ${last.reason}`;
  if (last) {
    const why = last.causes.length > 0 ? `caused by ${last.causes.join(', ')}` : 'on schedule';
    return `${last.outcome} at ${iso(last.at)} (run ${last.run}, trigger '${last.trigger}', ${why}) with ${last.actions.length} action(s)`;
  }
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i];
    if (SUPPRESSED.indexOf(d.what) >= 0) return `did not fire: ${d.message} (at ${iso(d.at)})`;
  }
  const states = rt.describeTriggers().map((t) => `trigger '${t.id}' ${t.state}`);
  return `did not fire: no trigger fired since ${iso(since)}; ${states.join('; ')}`;
}
