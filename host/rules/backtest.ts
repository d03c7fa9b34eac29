import type { NodeRef } from './compiled-rule.js';
import { RuleEngine } from './engine.js';
import { feed, type RecordedEvent } from './feed.js';
import type { Firing } from './firing.js';

export interface ReplayOptions {
  timeZone?: string;
  nodes?: readonly NodeRef[];
  hubId?: string;
  maxChain?: number;
}

export interface BacktestOptions extends ReplayOptions {
  /** Firings at or after this time are reported (events before it still build the state). */
  from: number;
  /** Replay stops here: events stored at or after it are not read, firings at or after it not reported. */
  to: number;
}

export interface BacktestResult {
  rule: string;
  version: string;
  from: number;
  to: number;
  /** Events read. */
  events: number;
  firings: Firing[];
}

/** Firings of a candidate version that the other does not have, and the reverse. */
export interface FiringDiff {
  added: Firing[];
  removed: Firing[];
  unchanged: number;
}

/**
 * Replays stored events through fresh engines on a virtual clock: the same
 * RuleEngine the hub runs, fed the same way (each batch at its receivedAt),
 * so a backtest fires exactly where the live engine fired over that log.
 * The rule is tested as if enabled; the log's own rule events are ignored.
 */
function replay(rules: readonly unknown[], events: Iterable<RecordedEvent>, o: BacktestOptions): BacktestResult[] {
  if (!(o.to > o.from)) throw new RangeError(`to (${o.to}) must be after from (${o.from})`);
  const runs = rules.map((doc) => {
    const engine = new RuleEngine({ timeZone: o.timeZone, nodes: o.nodes, hubId: o.hubId, maxChain: o.maxChain, followRuleEvents: false });
    const rule = engine.addRule({ ...(doc as object), enabled: true });
    return { engine, rule, firings: [] as Firing[] };
  });
  const count = feed(
    runs.map((r) => r.engine),
    events,
    { until: o.to, exclusive: true, startAt: o.from },
    (i, fs) => {
      for (const f of fs) if (f.at >= o.from && f.at < o.to) runs[i].firings.push(f);
    },
  );
  return runs.map((r) => ({ rule: r.rule.id, version: r.rule.version, from: o.from, to: o.to, events: count, firings: r.firings }));
}

/** Every firing the rule would have made over the events, with its causes and intents. */
export function backtest(rule: unknown, events: Iterable<RecordedEvent>, options: BacktestOptions): BacktestResult {
  return replay([rule], events, options)[0];
}

/** One pass over the events for two versions of a rule (e.g. the candidate and the one enabled now), and their difference. */
export function backtestAgainst(
  candidate: unknown,
  current: unknown,
  events: Iterable<RecordedEvent>,
  options: BacktestOptions,
): { candidate: BacktestResult; current: BacktestResult; diff: FiringDiff } {
  const [a, b] = replay([candidate, current], events, options);
  return { candidate: a, current: b, diff: diffFirings(a.firings, b.firings) };
}

/** Firings compared by what they did (time, outcome, trigger, causes, intents), not by version or run number. */
function diffFirings(candidate: readonly Firing[], current: readonly Firing[]): FiringDiff {
  const key = (f: Firing) => JSON.stringify([f.at, f.outcome, f.trigger, f.causes, f.actions]);
  const pool = new Map<string, number>();
  for (const f of current) pool.set(key(f), (pool.get(key(f)) ?? 0) + 1);
  const added: Firing[] = [];
  let unchanged = 0;
  for (const f of candidate) {
    const n = pool.get(key(f)) ?? 0;
    if (n > 0) {
      pool.set(key(f), n - 1);
      unchanged++;
    } else added.push(f);
  }
  const removed = current.filter((f) => {
    const n = pool.get(key(f)) ?? 0;
    if (n === 0) return false;
    pool.set(key(f), n - 1);
    return true;
  });
  return { added, removed, unchanged };
}
