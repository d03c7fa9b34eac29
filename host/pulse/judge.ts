import type { ResolvedCheck } from './load-checks.js';
import { renderTemplate } from './pulse-text.js';
import type { Judgement, PulseMetrics, PulseStatus, Transition, Verdict } from './pulse-types.js';
import { runNow, type Steps } from './steps.js';
import { addSample, aggregateOf, type Sample } from './window.js';

export { loadChecks, PulseCheckError, type ResolvedCheck } from './load-checks.js';

/** How bad: unknown and healthy 0, degraded 1, critical 2. */
type Level = 0 | 1 | 2;
const LEVEL: Record<PulseStatus, Level> = { unknown: 0, healthy: 0, degraded: 1, critical: 2 };
const STATUS_OF = ['healthy', 'degraded', 'critical'] as const;
/** Verdicts are listed in this order. */
const ORDER: Record<PulseStatus, number> = { critical: 0, degraded: 1, unknown: 2, healthy: 3 };

/**
 * One check on one subject. The raw level (the value against the thresholds)
 * is read back from the timers: `ge1`/`ge2` say since when it has been at
 * least degraded/critical, kept only while the status is below that level
 * (pending); `le0`/`le1` since when at most healthy/degraded, kept only while
 * the status is above it (keep).
 */
interface Entry {
  status: PulseStatus;
  since: number;
  ge1?: number;
  ge2?: number;
  le0?: number;
  le1?: number;
}

/**
 * What a judge carries from beat to beat, as plain JSON (stored in each
 * pulse.beat). Compact: an entry is left out while it is healthy since the
 * beat its check and subject were first judged together, with nothing
 * pending; samples only for windowed figures, only as far back as the
 * longest window needs.
 */
export interface JudgeState {
  v: 1;
  /** The last beat judged. */
  at?: number;
  /** Enabled check id → the beat it was first judged. */
  checks: Record<string, number>;
  /** 'hub' or a node id → the beat it was first judged. */
  subjects: Record<string, number>;
  /** `<check> <subject>` → its status and timers. */
  entries: Record<string, Entry>;
  /** Subject → figure → samples, oldest first. */
  samples: Record<string, Record<string, Sample[]>>;
}

const levelOf = (e: Entry): Level => {
  const s = LEVEL[e.status];
  if (s === 0) return e.ge2 !== undefined ? 2 : e.ge1 !== undefined ? 1 : 0;
  if (s === 1) return e.ge2 !== undefined ? 2 : e.le0 !== undefined ? 0 : 1;
  return e.le0 !== undefined ? 0 : e.le1 !== undefined ? 1 : 2;
};

function past(c: ResolvedCheck, v: number, threshold: number | undefined, held: boolean): boolean {
  if (threshold === undefined) return false;
  const h = held ? c.hysteresis : 0;
  return c.direction === 'above' ? v > threshold - h : v < threshold + h;
}

/** The raw level of `v`: a threshold the previous raw level had crossed holds until the value is back past it by the hysteresis. */
function rawLevel(c: ResolvedCheck, v: number, prev: Level): Level {
  if (past(c, v, c.critical, prev >= 2)) return 2;
  return past(c, v, c.warn, prev >= 1) ? 1 : 0;
}

/** Whether an entry carries a pending or keep timer. */
const timed = (e: Entry) => e.ge1 !== undefined || e.ge2 !== undefined || e.le0 !== undefined || e.le1 !== undefined;

/** Advances one entry by one beat: timers, then the status pending or keep allow. */
function step(c: ResolvedCheck, e: Entry, raw: Level, rawStatus: PulseStatus, at: number): Entry {
  const t = {
    ge1: raw >= 1 ? (e.ge1 ?? at) : undefined,
    ge2: raw >= 2 ? (e.ge2 ?? at) : undefined,
    le0: raw <= 0 ? (e.le0 ?? at) : undefined,
    le1: raw <= 1 ? (e.le1 ?? at) : undefined,
  };
  const s = LEVEL[e.status];
  let next: PulseStatus = e.status;
  if (raw > s) {
    if (t.ge2 !== undefined && at - t.ge2 >= c.pendingMs) next = 'critical';
    else if (s < 1 && t.ge1 !== undefined && at - t.ge1 >= c.pendingMs) next = 'degraded';
    // A known figure whose worse level has not held for pending yet is healthy meanwhile, never unknown:
    // else its first judgement (a lag at start-up) would stay unknown and the next beat announce unknown → healthy.
    else if (e.status === 'unknown') next = 'healthy';
  } else if (raw < s) {
    if (t.le0 !== undefined && at - t.le0 >= c.keepMs) next = rawStatus;
    else if (s > 1 && t.le1 !== undefined && at - t.le1 >= c.keepMs) next = 'degraded';
  } else if (s === 0) next = rawStatus;
  const n = LEVEL[next];
  const out: Entry = { status: next, since: next === e.status ? e.since : at };
  // Keep the timers of the levels the new status can still move to.
  if (n < 1 && t.ge1 !== undefined) out.ge1 = t.ge1;
  if (n < 2 && t.ge2 !== undefined) out.ge2 = t.ge2;
  if (n > 0 && t.le0 !== undefined) out.le0 = t.le0;
  if (n > 1 && t.le1 !== undefined) out.le1 = t.le1;
  return out;
}

/**
 * Pulse's judgement: each enabled check on its subjects (the hub; every node
 * in the beat), at every beat. Pure: the clock is the metrics' `at`.
 * A first judgement of a check on a subject starts from unknown and is a
 * transition only when it is degraded or critical; a subject missing from a
 * beat is forgotten without a word.
 */
export class Judge {
  private readonly checks: ResolvedCheck[];
  /**
   * Each windowed figure of a scope, with the longest window any check looks at it through; `runs` when no check
   * takes its mean (a run of equal samples is then kept as its ends: window.ts).
   */
  private readonly windows: { hub: boolean; metric: string; windowMs: number; runs: boolean }[] = [];
  private s: JudgeState = { v: 1, checks: {}, subjects: {}, entries: {}, samples: {} };

  constructor(checks: readonly ResolvedCheck[]) {
    this.checks = checks.filter((c) => c.enabled);
    for (const c of this.checks) {
      if (c.windowMs <= 0) continue;
      const hub = c.scope === 'hub';
      const w = this.windows.find((x) => x.hub === hub && x.metric === c.metric);
      const runs = c.aggregate !== 'mean';
      if (w) {
        w.windowMs = Math.max(w.windowMs, c.windowMs);
        w.runs &&= runs;
      } else this.windows.push({ hub, metric: c.metric, windowMs: c.windowMs, runs });
    }
  }

  judge(m: PulseMetrics): Judgement {
    return runNow(this.judgeSteps(m, Number.POSITIVE_INFINITY));
  }

  /**
   * The same judgement, `perStep` nodes a step (run with steps.ts). The
   * judge's state moves only at the last step: steps left unfinished change
   * nothing.
   */
  *judgeSteps(m: PulseMetrics, perStep: number): Steps<Judgement> {
    const at = m.at;
    if (!Number.isFinite(at)) throw new RangeError(`metrics.at must be a time in ms, got ${at}`);
    if (this.s.at !== undefined && at < this.s.at) throw new RangeError(`a beat at ${at} is older than the last one judged (${this.s.at})`);
    const prev = this.s;
    const next: JudgeState = { v: 1, at, checks: {}, subjects: {}, entries: {}, samples: {} };
    for (const c of this.checks) next.checks[c.id] = prev.checks[c.id] ?? at;
    const subjects = ['hub', ...Object.keys(m.nodes)];
    for (const id of subjects) next.subjects[id] = prev.subjects[id] ?? at;

    const verdicts: Verdict[] = [];
    const transitions: Transition[] = [];
    for (let i = 0; i < subjects.length; i++) {
      // The hub and the first nodes, then perStep nodes a step.
      if (i > 1 && (i - 1) % perStep === 0) yield;
      this.judgeSubject(m, subjects[i], prev, next, verdicts, transitions);
    }
    // Sorted a group at a time (by status, then check): each group is at most one verdict a subject.
    const groups = new Map<string, Verdict[]>();
    for (const v of verdicts) {
      const key = `${ORDER[v.status]}\0${v.check}`;
      const group = groups.get(key);
      if (group) group.push(v);
      else groups.set(key, [v]);
    }
    const sorted: Verdict[] = [];
    for (const key of [...groups.keys()].sort(cmp)) {
      yield;
      sorted.push(...(groups.get(key) as Verdict[]).sort((a, b) => cmp(a.name, b.name) || cmp(a.subject, b.subject)));
    }
    this.s = next;
    transitions.sort((a, b) => ORDER[a.to] - ORDER[b.to] || cmp(a.check, b.check) || cmp(a.name, b.name) || cmp(a.subject, b.subject));
    const worst = sorted
      .filter((v) => v.status !== 'unknown')
      .reduce<PulseStatus>((w, v) => (LEVEL[v.status] > LEVEL[w] || w === 'unknown' ? v.status : w), 'unknown');
    return { at, status: worst, verdicts: sorted, transitions };
  }

  /** Every check on one subject: its samples and entries into `next`, its verdicts and changes onto the lists. */
  private judgeSubject(m: PulseMetrics, subject: string, prev: JudgeState, next: JudgeState, verdicts: Verdict[], transitions: Transition[]): void {
    const at = m.at;
    const figures = subject === 'hub' ? m.hub : m.nodes[subject].figures;
    const figure = (metric: string) => {
      const v = figures[metric];
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    };
    for (const { hub, metric, windowMs, runs } of this.windows) {
      if (hub !== (subject === 'hub')) continue;
      const kept = addSample(prev.samples[subject]?.[metric] ?? [], at, figure(metric), windowMs, runs);
      if (kept.length) (next.samples[subject] ??= {})[metric] = kept;
    }
    for (const c of this.checks) {
      if ((c.scope === 'hub') !== (subject === 'hub')) continue;
      // A check for some subjects only (a battery on a mains-powered node): the others get no verdict, so nothing of theirs is kept.
      if (c.appliesTo !== undefined && !Object.hasOwn(subject === 'hub' ? m.hubFacts : m.nodes[subject].facts, c.appliesTo)) continue;
      const key = `${c.id} ${subject}`;
      const first = Math.max(next.checks[c.id], next.subjects[subject]);
      const isNew = prev.checks[c.id] === undefined || prev.subjects[subject] === undefined;
      const e: Entry = prev.entries[key] ?? (isNew ? { status: 'unknown', since: at } : { status: 'healthy', since: first });
      const now = figure(c.metric);
      const value = now === undefined ? undefined : aggregateOf(next.samples[subject]?.[c.metric] ?? [], at, c.windowMs, c.aggregate, now);
      const raw = value === undefined ? 0 : rawLevel(c, value, levelOf(e));
      const stepped = step(c, e, raw, value === undefined ? 'unknown' : STATUS_OF[raw], at);
      if (stepped.status !== 'healthy' || stepped.since !== first || timed(stepped)) next.entries[key] = stepped;

      const name = subject === 'hub' ? 'the hub' : m.nodes[subject].name;
      const words = this.words(c, m, subject, name, stepped.status, value);
      verdicts.push({ check: c.id, subject, name, status: stepped.status, ...(value === undefined ? {} : { value }), since: stepped.since, ...words });
      const quiet = isNew && LEVEL[stepped.status] === 0;
      if (stepped.status !== e.status && !quiet)
        transitions.push({ check: c.id, subject, name, from: e.status, to: stepped.status, ...(value === undefined ? {} : { value }), at, ...words });
    }
  }

  /** What a verdict says: its title always; its text and fix when it is not healthy. */
  private words(c: ResolvedCheck, m: PulseMetrics, subject: string, name: string, status: PulseStatus, value: number | undefined) {
    const base = { title: c.title, ...(c.learnMore === undefined ? {} : { learnMore: c.learnMore }) };
    if (status === 'healthy') return base;
    if (status === 'unknown' && value === undefined) return { ...base, text: `No ${c.metric} figure from ${name}: “${c.title}” cannot be judged.` };
    const figures = subject === 'hub' ? m.hub : m.nodes[subject].figures;
    const facts = subject === 'hub' ? m.hubFacts : m.nodes[subject].facts;
    const lookup = (k: string): number | string | undefined =>
      k === 'name' ? name : k === 'value' ? value : k === 'warn' ? c.warn : k === 'critical' ? c.critical : Object.hasOwn(facts, k) ? facts[k] : figures[k];
    return { ...base, text: renderTemplate(c.text, lookup), fix: renderTemplate(c.fix, lookup) };
  }

  /** The state to store, as plain JSON. */
  state(): JudgeState {
    return structuredClone(this.s);
  }

  /** Continues from a stored state, as if this judge had judged the beats before it. */
  restore(s: JudgeState): void {
    const obj = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
    if (!obj(s) || s.v !== 1 || !obj(s.checks) || !obj(s.subjects) || !obj(s.entries) || !obj(s.samples) || (s.at !== undefined && !Number.isFinite(s.at)))
      throw new TypeError('judge state: not a state this judge wrote (v 1 with checks, subjects, entries and samples)');
    this.s = structuredClone(s);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
