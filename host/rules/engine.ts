import type { LoggedEntry } from './logged-entry.js';
import { compileRule } from './compile-rule.js';
import type { CompiledRule, NodeRef } from './compiled-rule.js';
import type { Firing } from './firing.js';
import type { LevelTrigger } from './level-trigger.js';
import { Lineage, type LineageState } from './lineage.js';
import { applyRuleEvent } from './rule-events.js';
import { RuleRuntime, type RuntimeHost, type RuntimeState, type TimerTag } from './rule-runtime.js';
import type { AbsenceTrigger, EventTrigger } from './simple-triggers.js';
import { TimerQueue, type Timer } from './timer-queue.js';
import { World, type WorldState } from './world.js';

export interface EngineOptions {
  /** The owner's IANA time zone for schedules and time conditions (default UTC). */
  timeZone?: string;
  /** Enrolled nodes: rules may name them (and their outputs' pins). */
  nodes?: readonly NodeRef[];
  /**
   * The hub's own node id. Only its events may say which rule made them
   * (loop protection), and its system.rule.* events change the rules.
   */
  hubId?: string;
  /** Apply the hub's system.rule.* events (default: when hubId is given). */
  followRuleEvents?: boolean;
  /** Loop protection: stop a rule with this many of its own firings behind a trigger (default 5). */
  maxChain?: number;
  /** Keep each rule's decisions for explain (costs time; off for live use). */
  trace?: boolean;
}

type With<T> = { rt: RuleRuntime; t: T };

/**
 * The engine's whole state as plain JSON (snapshot()): what restore() takes on a fresh engine. Each rule's
 * document is kept with its version, so a restore under code that reads the document otherwise is refused.
 */
export interface EngineState {
  now?: number;
  world: WorldState;
  lineage: LineageState;
  rules: ({ id: string; version: string; doc: unknown; enabled: false } | (RuntimeState & { doc: unknown; enabled: true }))[];
  /** The live timers in firing order (ties in the order they were set): whose, and when due. */
  timers: (TimerTag & { due: number })[];
}

/**
 * The rule engine: a pure function of what it is fed. Stored events go in
 * commit order through ingest(), time through advanceTo() (the hub's one
 * clock, or a virtual one in a backtest); it never reads a clock. Out come
 * firings, whose intents the hub carries out.
 *
 * Pass each batch's `receivedAt` (the store's received_at) to ingest: timers
 * due by then fire first, each at its own due time, so the result does not
 * depend on how often advanceTo was called in between. That is why a replay
 * of the stored log (a restart, a backtest) decides exactly as the live
 * engine did. The first time the engine is given sets its clock running: a
 * hub that starts re-ingests its stored log (rules come back with their
 * system.rule.* events) before its first advanceTo(now), and so resumes every
 * for: window, run and cooldown where it stood, carrying out only what fires
 * after that.
 */
export class RuleEngine implements RuntimeHost {
  readonly world = new World();
  readonly lineage = new Lineage();
  readonly maxChain: number;
  /** Rule events that could not be applied (a bad document on the chain); the engine goes on. */
  readonly problems: string[] = [];
  private clock: number | undefined;
  private readonly timers = new TimerQueue<{ fire: (out: Firing[]) => void; tag: TimerTag }>();
  private readonly compiled = new Map<string, CompiledRule>();
  private readonly running = new Map<string, RuleRuntime>();
  private bySeries = new Map<string, With<LevelTrigger>[]>();
  private levelsByNode = new Map<string, With<LevelTrigger>[]>();
  private absencesByNode = new Map<string, With<AbsenceTrigger>[]>();
  private eventTriggers: With<EventTrigger>[] = [];
  private byType = new Map<string, With<EventTrigger>[]>();
  private readonly followRuleEvents: boolean;

  constructor(private readonly options: EngineOptions = {}) {
    const max = options.maxChain ?? 5;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxChain must be a whole number ≥ 1, got ${max}`);
    this.maxChain = max;
    this.followRuleEvents = options.followRuleEvents ?? options.hubId !== undefined;
  }

  /** The engine's time (ms since the epoch); 0 before it was first given one. */
  get now(): number {
    return this.clock ?? 0;
  }

  setTimer(due: number, fire: (out: Firing[]) => void, tag: TimerTag): Timer {
    return this.timers.add(due, { fire, tag });
  }

  /** When the engine next has something to do on its own: call advanceTo then. */
  nextDue(): number | undefined {
    return this.timers.peek();
  }

  /** Adds a rule, or replaces the one with its id (whose state then starts afresh). Throws RuleError naming the path. */
  addRule(doc: unknown): CompiledRule {
    const rule = compileRule(doc, { timeZone: this.options.timeZone, nodes: this.options.nodes });
    this.compiled.set(rule.id, rule);
    this.activate(rule.id, rule.enabled);
    return rule;
  }

  enableRule(id: string): void {
    this.activate(this.known(id).id, true);
  }

  disableRule(id: string): void {
    this.activate(this.known(id).id, false);
  }

  removeRule(id: string): void {
    this.known(id);
    this.activate(id, false);
    this.compiled.delete(id);
  }

  rules(): CompiledRule[] {
    return [...this.compiled.values()];
  }

  /** The running state of an enabled rule (explain reads it). */
  runtime(id: string): RuleRuntime | undefined {
    return this.running.get(id);
  }

  ingest(entries: readonly LoggedEntry[], receivedAt?: number): Firing[] {
    const out: Firing[] = [];
    if (receivedAt !== undefined) this.advance(receivedAt, out);
    for (const e of entries) this.ingestOne(e, out);
    return out;
  }

  advanceTo(ms: number): Firing[] {
    const out: Firing[] = [];
    this.advance(ms, out);
    return out;
  }

  /** A plain, ordered picture of the whole state, JSON as it is (restart equivalence is tested on it; restore() takes it). */
  snapshot(): EngineState {
    const ids = [...this.compiled.keys()].sort();
    return {
      now: this.clock,
      world: this.world.snapshot(),
      lineage: this.lineage.snapshot(),
      rules: ids.map((id) => {
        const r = this.compiled.get(id) as CompiledRule;
        const rt = this.running.get(id);
        return rt ? { ...rt.snapshot(), doc: r.doc, enabled: true as const } : { id, version: r.version, doc: r.doc, enabled: false as const };
      }),
      timers: this.timers.pending().map((t) => ({ ...t.payload.tag, due: t.due })),
    };
  }

  /**
   * Takes a snapshot()'s state on a fresh engine: it then decides as the engine that wrote it would have.
   * Throws (RangeError naming what) on a state this code cannot take whole (the engine is then not to be used).
   */
  restore(s: EngineState): void {
    if (this.clock !== undefined || this.compiled.size > 0) throw new RangeError('restore takes a fresh engine');
    this.clock = s.now;
    this.world.restore(s.world);
    this.lineage.restore(s.lineage);
    for (const r of s.rules) {
      const rule = compileRule(r.doc, { timeZone: this.options.timeZone, nodes: this.options.nodes });
      if (rule.id !== r.id || rule.version !== r.version)
        throw new RangeError(`rule '${r.id}' compiles to version ${rule.version}, not the snapshot's ${r.version}`);
      this.compiled.set(rule.id, rule);
      if (!r.enabled) continue;
      const rt = new RuleRuntime(rule, this, this.options.trace === true);
      rt.restore(r);
      this.running.set(rule.id, rt);
    }
    this.reindex();
    for (const t of s.timers) {
      const rt = this.running.get(t.rule);
      if (!rt) throw new RangeError(`a timer of rule '${t.rule}', which is not running`);
      rt.rearm(t, t.due);
    }
  }

  private advance(ms: number, out: Firing[]): void {
    if (!Number.isFinite(ms)) throw new RangeError(`time must be ms since the epoch, got ${ms}`);
    if (this.clock === undefined) this.startClock(ms);
    for (let t = this.timers.take(ms); t; t = this.timers.take(ms)) {
      if (t.due > this.now) this.clock = t.due;
      t.payload.fire(out);
    }
    if (ms > this.now) this.clock = ms;
  }

  private startClock(t: number): void {
    this.clock = t;
    for (const rt of this.running.values()) rt.start(t);
  }

  private ingestOne(e: LoggedEntry, out: Firing[]): void {
    if (this.clock === undefined) this.startClock(e.time);
    const o = this.world.observe(e);
    if (!o) return;
    const hub = this.options.hubId;
    this.lineage.observe(e, hub === undefined || o.node === hub);
    if (this.followRuleEvents && o.node === hub && e.type.startsWith('system.rule.')) {
      const problem = applyRuleEvent(this, e);
      if (problem !== undefined && this.problems.push(problem) > 100) this.problems.shift();
    }
    const levels = this.levelsByNode.get(o.node);
    if (levels && o.gap) for (const x of levels) x.t.onGap(o.gap);
    if (levels && o.clockChange) for (const x of levels) x.t.onClockChange(o.clockChange);
    if (o.series !== undefined && o.value !== undefined) {
      const list = this.bySeries.get(o.series);
      if (list) {
        for (const x of list) {
          const occ = x.t.onValue(o.value);
          if (occ) x.rt.handle(occ, out);
        }
      }
    }
    if (this.eventTriggers.length > 0) {
      let list = this.byType.get(e.type);
      if (!list) this.byType.set(e.type, (list = this.eventTriggers.filter((x) => x.t.def.matches(e.type))));
      for (const x of list) {
        const occ = x.t.onEvent(o);
        if (occ) x.rt.handle(occ, out);
      }
    }
    if (levels) {
      for (const x of levels) {
        if (e.time < x.t.due) continue;
        const occ = x.t.onEvidence(e);
        if (occ) x.rt.handle(occ, out);
      }
    }
    const absences = this.absencesByNode.get(o.node);
    if (absences) for (const x of absences) if (x.t.heard(o, this.now)) x.rt.armAbsence(x.t);
  }

  private known(id: string): CompiledRule {
    const r = this.compiled.get(id);
    if (!r) throw new RangeError(`no rule '${id}' (rules: ${[...this.compiled.keys()].join(', ') || 'none'})`);
    return r;
  }

  private activate(id: string, on: boolean): void {
    this.running.get(id)?.dispose();
    this.running.delete(id);
    const rule = this.compiled.get(id) as CompiledRule;
    if (on) {
      const rt = new RuleRuntime(rule, this, this.options.trace === true);
      this.running.set(id, rt);
      if (this.clock !== undefined) rt.start(this.clock);
    }
    this.reindex();
  }

  private reindex(): void {
    this.bySeries = new Map();
    this.levelsByNode = new Map();
    this.absencesByNode = new Map();
    this.eventTriggers = [];
    this.byType = new Map();
    const push = <T>(m: Map<string, With<T>[]>, k: string, v: With<T>) => {
      const l = m.get(k);
      if (l) l.push(v);
      else m.set(k, [v]);
    };
    for (const rt of this.running.values()) {
      for (const t of rt.levels) {
        push(this.bySeries, t.def.series.key, { rt, t });
        push(this.levelsByNode, t.node, { rt, t });
      }
      for (const t of rt.events) this.eventTriggers.push({ rt, t });
      for (const t of rt.absences) push(this.absencesByNode, t.def.node, { rt, t });
    }
  }
}
