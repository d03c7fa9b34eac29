import type { CompiledRule } from './compiled-rule.js';
import { evaluate, evaluateAll, type ConditionContext } from './conditions.js';
import type { Firing, TraceEntry } from './firing.js';
import { intentFor, type FiringContext, type Intent } from './intents.js';
import { LevelTrigger, type LevelTriggerState, type Occurrence, type TriggerTrace } from './level-trigger.js';
import type { Lineage } from './lineage.js';
import {
  AbsenceTrigger,
  type AbsenceTriggerState,
  EventTrigger,
  type EventTriggerState,
  ScheduleTrigger,
  type ScheduleTriggerState,
} from './simple-triggers.js';
import type { Timer } from './timer-queue.js';
import type { World } from './world.js';

/** What a rule's runtime needs from its engine. */
export interface RuntimeHost {
  readonly now: number;
  readonly world: World;
  readonly lineage: Lineage;
  /** Loop protection: a rule with this many of its own firings behind a trigger is stopped. */
  readonly maxChain: number;
  setTimer(due: number, fire: (out: Firing[]) => void, tag: TimerTag): Timer;
}

/** Whose a timer is, so a restored engine sets it again: a schedule's or an absence's (by index among the rule's), or the run's delay. */
export interface TimerTag {
  rule: string;
  kind: 'schedule' | 'absence' | 'delay';
  index: number;
}

type TriggerState = LevelTriggerState | EventTriggerState | ScheduleTriggerState | AbsenceTriggerState;

/** A rule's running state as plain JSON (snapshot(); restore() takes it). */
export interface RuntimeState {
  id: string;
  version: string;
  stopped?: string;
  runs: number;
  lastStart?: number;
  active?: { run: number; occ: Occurrence; next: number; due?: number };
  queue: Occurrence[];
  triggers: TriggerState[];
}

interface TriggerRuntime {
  def: unknown;
  snapshot(): TriggerState;
  restore(s: TriggerState): void;
}

const TRACE_LIMIT = 2000;

/**
 * One rule running: its triggers' state, and its runs. A trigger passes the
 * conditions (judged at the trigger's moment), the cooldown (from the last
 * run's start), loop protection (only a run that would start can be a loop),
 * then the mode: a run waiting in a
 * delay makes `single` drop the trigger, `restart` cancel that run and start
 * anew, `queued` keep it (up to `max`) until the run ends. A rule stopped by
 * loop protection ignores its triggers until it is changed or enabled again.
 */
export class RuleRuntime {
  readonly levels: LevelTrigger[] = [];
  readonly events: EventTrigger[] = [];
  private readonly schedules: ScheduleTrigger[] = [];
  readonly absences: AbsenceTrigger[] = [];
  readonly trace: TraceEntry[] | undefined;
  private stopped: string | undefined;
  private runs = 0;
  private lastStart: number | undefined;
  private active: { run: number; occ: Occurrence; next: number; timer?: Timer } | undefined;
  private queue: Occurrence[] = [];
  private readonly timers = new Set<Timer>();
  private readonly tracer: TriggerTrace;

  constructor(
    readonly rule: CompiledRule,
    private readonly host: RuntimeHost,
    tracing: boolean,
  ) {
    if (tracing) {
      const log: TraceEntry[] = [];
      this.trace = log;
      this.tracer = (what, path, message, events) => {
        if (log.length >= TRACE_LIMIT) log.splice(0, log.length - TRACE_LIMIT + 1);
        log.push({ at: host.now, what, path, message, events });
      };
    }
    for (const t of rule.triggers) {
      if (t.kind === 'numeric' || t.kind === 'state') this.levels.push(new LevelTrigger(t, this.tracer));
      else if (t.kind === 'event') this.events.push(new EventTrigger(t));
      else if (t.kind === 'schedule') this.schedules.push(new ScheduleTrigger(t, rule.zone));
      else this.absences.push(new AbsenceTrigger(t));
    }
  }

  /** The engine's clock is running: arm the schedules and start watching for absence. */
  /** Why loop protection stopped the rule, until it is changed or enabled again. */
  get stoppedReason(): string | undefined {
    return this.stopped;
  }

  start(now: number): void {
    for (const s of this.schedules) this.armSchedule(s, s.start(now));
    for (const a of this.absences) {
      a.start(now);
      this.armAbsence(a);
    }
  }

  /** The rule is removed or replaced: nothing of it runs any more. */
  dispose(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }

  armAbsence(a: AbsenceTrigger, due = a.due): void {
    if (due === undefined) return;
    a.timerSet = true;
    const tag: TimerTag = { rule: this.rule.id, kind: 'absence', index: this.absences.indexOf(a) };
    this.setTimer(
      due,
      (out) => {
        a.timerSet = false;
        const now = a.due;
        if (now === undefined) return;
        if (now > this.host.now) this.armAbsence(a);
        else this.handle(a.fire(), out);
      },
      tag,
    );
  }

  handle(occ: Occurrence, out: Firing[]): void {
    const r = this.rule;
    const now = this.host.now;
    this.tracer?.('trigger', occ.path, `trigger '${occ.trigger}' fired${occ.causes.length ? ` (${occ.causes.join(', ')})` : ''}`, occ.causes);
    if (this.stopped) return this.tracer?.('stopped', occ.path, `ignored: the rule is stopped (${this.stopped})`, occ.causes);
    const v = evaluateAll(r.conditions, this.conditionContext(occ.trigger));
    if (!v.ok) return this.tracer?.('conditions-false', v.path, `trigger '${occ.trigger}' fired but ${v.path} was false: ${v.reason}`, occ.causes);
    if (r.cooldownMs > 0 && this.lastStart !== undefined && now - this.lastStart < r.cooldownMs) {
      return this.tracer?.('cooldown', '/cooldown', `dropped: cooling down until ${new Date(this.lastStart + r.cooldownMs).toISOString()}`, occ.causes);
    }
    const depth = this.host.lineage.depth(r.id, occ.causes);
    if (depth >= this.host.maxChain) {
      this.stopped = `its own effects re-triggered it ${depth} times in one causal chain (limit ${this.host.maxChain})`;
      this.cancelRuns();
      out.push({
        rule: r.id,
        version: r.version,
        at: now,
        outcome: 'stopped',
        run: this.runs,
        trigger: occ.trigger,
        causes: [...occ.causes],
        actions: [],
        reason: this.stopped,
      });
      return this.tracer?.('stopped', occ.path, `stopped: ${this.stopped}`, occ.causes);
    }
    if (this.active) {
      if (r.mode === 'single') return this.tracer?.('busy', '/mode', `dropped: run ${this.active.run} is still running (mode single)`, occ.causes);
      if (r.mode === 'queued') {
        if (this.queue.length >= r.max)
          return this.tracer?.('queue-full', '/max', `dropped: ${this.queue.length} runs already wait (max ${r.max})`, occ.causes);
        this.queue.push(occ);
        return this.tracer?.('queued', '/mode', `queued behind run ${this.active.run} (${this.queue.length} waiting)`, occ.causes);
      }
      this.tracer?.('cancelled', '/mode', `run ${this.active.run} cancelled: restarted (mode restart)`, occ.causes);
      this.cancelRuns();
    }
    this.begin(occ, out);
  }

  describeTriggers(): { id: string; path: string; kind: string; state: string }[] {
    const all = [...this.levels, ...this.events, ...this.schedules, ...this.absences];
    return this.rule.triggers.map((t) => {
      const rt = all.find((x) => x.def === t) as { describe(): string };
      return { id: t.id, path: t.path, kind: t.kind, state: rt.describe() };
    });
  }

  conditionContext(trigger: string): ConditionContext {
    return { now: this.host.now, world: this.host.world, zone: this.rule.zone, trigger };
  }

  snapshot(): RuntimeState {
    return {
      id: this.rule.id,
      version: this.rule.version,
      stopped: this.stopped,
      runs: this.runs,
      lastStart: this.lastStart,
      active: this.active && { run: this.active.run, occ: this.active.occ, next: this.active.next, due: this.active.timer?.due },
      queue: this.queue,
      triggers: this.triggerRuntimes().map((t) => t.snapshot()),
    };
  }

  /** Takes a snapshot()'s state (of this rule's version) on a runtime not started; its timers come back through rearm(). */
  restore(s: RuntimeState): void {
    if (s.version !== this.rule.version) throw new RangeError(`rule '${s.id}': state of version ${s.version}, rule is ${this.rule.version}`);
    const all = this.triggerRuntimes();
    if (s.triggers.length !== all.length) throw new RangeError(`rule '${s.id}': ${s.triggers.length} trigger states for ${all.length} triggers`);
    all.forEach((t, i) => t.restore(s.triggers[i]));
    this.stopped = s.stopped;
    this.runs = s.runs;
    this.lastStart = s.lastStart;
    this.active = s.active && { run: s.active.run, occ: s.active.occ, next: s.active.next };
    this.queue = [...s.queue];
  }

  /** Sets again a timer a snapshot() held (in the order the engine held them). */
  rearm(tag: TimerTag, due: number): void {
    if (tag.kind === 'schedule' && this.schedules[tag.index]) return this.armSchedule(this.schedules[tag.index], due);
    if (tag.kind === 'absence' && this.absences[tag.index]) return this.armAbsence(this.absences[tag.index], due);
    if (tag.kind === 'delay' && this.active) return this.armDelay(this.active, due);
    throw new RangeError(`rule '${this.rule.id}' has no ${tag.kind} timer ${tag.index} to set again`);
  }

  /** The triggers' runtimes in the rule's trigger order. */
  private triggerRuntimes(): TriggerRuntime[] {
    const all: TriggerRuntime[] = [...this.levels, ...this.events, ...this.schedules, ...this.absences] as TriggerRuntime[];
    return this.rule.triggers.map((t) => all.find((x) => x.def === t) as TriggerRuntime);
  }

  private begin(occ: Occurrence, out: Firing[]): void {
    this.runs++;
    this.lastStart = this.host.now;
    this.active = { run: this.runs, occ, next: 0 };
    this.proceed(out, 'fired');
  }

  /** Runs the steps from where the run stands to its next delay or its end. */
  private proceed(out: Firing[], outcome: 'fired' | 'continued'): void {
    const a = this.active as NonNullable<RuleRuntime['active']>;
    const r = this.rule;
    const now = this.host.now;
    const ctx: FiringContext = { rule: r.id, version: r.version, at: now, trigger: a.occ.trigger, causes: a.occ.causes };
    const actions: Intent[] = [];
    let i = a.next;
    for (; i < r.steps.length; i++) {
      const s = r.steps[i];
      if (s.kind === 'delay') {
        a.next = i + 1;
        this.armDelay(a, now + s.ms);
        break;
      }
      if (s.if) {
        const v = evaluate(s.if, this.conditionContext(a.occ.trigger));
        if (!v.ok) {
          this.tracer?.('step-skipped', s.path, `${s.path} skipped: ${v.path} ${v.reason}`, a.occ.causes);
          continue;
        }
      }
      actions.push(intentFor(s, ctx));
    }
    if (outcome === 'fired' || actions.length > 0) {
      out.push({ rule: r.id, version: r.version, at: now, outcome, run: a.run, trigger: a.occ.trigger, causes: [...a.occ.causes], actions });
      this.tracer?.(
        outcome,
        '/actions',
        `run ${a.run} ${outcome} with ${actions.length} action(s)${i < r.steps.length ? `; waits until ${new Date(a.timer?.due ?? now).toISOString()}` : ''}`,
        a.occ.causes,
      );
    }
    if (i >= r.steps.length) {
      this.active = undefined;
      const next = this.queue.shift();
      if (next) this.begin(next, out);
    }
  }

  private cancelRuns(): void {
    this.active?.timer?.cancel();
    this.active = undefined;
    this.queue = [];
  }

  private armDelay(a: NonNullable<RuleRuntime['active']>, due: number): void {
    a.timer = this.setTimer(
      due,
      (o) => {
        a.timer = undefined;
        this.proceed(o, 'continued');
      },
      { rule: this.rule.id, kind: 'delay', index: 0 },
    );
  }

  private armSchedule(s: ScheduleTrigger, due: number | undefined): void {
    if (due === undefined) return;
    const tag: TimerTag = { rule: this.rule.id, kind: 'schedule', index: this.schedules.indexOf(s) };
    this.setTimer(
      due,
      (out) => {
        const occ = s.fire(due);
        this.armSchedule(s, s.next);
        this.handle(occ, out);
      },
      tag,
    );
  }

  private setTimer(due: number, fire: (out: Firing[]) => void, tag: TimerTag): Timer {
    const t = this.host.setTimer(
      due,
      (out) => {
        this.timers.delete(t);
        fire(out);
      },
      tag,
    );
    this.timers.add(t);
    return t;
  }
}
