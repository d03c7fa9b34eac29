import { isValueMap, type ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { HubLog } from '../hub/hub-log.js';
import { beatEvent, changeData, changeEvent, changesEvents, figuresEvents, metricsOfBeat, PART_CHANGES, verdictsByNode } from './beat-events.js';
import { type CollectOptions, FigureCollector, HEALTH_METRICS } from './collect-figures.js';
import { restoreCounters } from './restore-counters.js';
import { Judge, loadChecks } from './judge.js';
import { narrate, type SensorChange } from './narrate.js';
import type { Phrasing } from './phrasing.js';
import type { Judgement, PulseMetrics, Transition } from './pulse-types.js';
import { runInTurns, runNow, type SliceTimer, type Steps, StepsCancelled } from './steps.js';
import { storedParts, unsaidChanges, wholeBeat } from './stored-beats.js';

/** How often the hub beats unless told (README "Pulse"). */
const DEFAULT_BEAT_MS = 15 * 60_000;

/** Nodes collected or judged in one turn of a beat run in turns: a few ms on a Pi. */
const NODES_PER_TURN = 25;

export interface PulseOptions {
  /** Between beats (default 15 min); 0: no timer, beats only through beat() (tests, benchmarks). */
  everyMs?: number;
  /** A checks document (schemas/pulse-checks.schema.json) merged over the shipped defaults. */
  checks?: unknown;
  /** The IANA zone the paragraph tells times in (default UTC). */
  timeZone?: string;
  /** Optional phrasing by an OpenAI-compatible model, beside the rule-based text. */
  phrasing?: Phrasing;
}

export interface PulseServiceOptions extends PulseOptions, CollectOptions {
  hubLog: HubLog;
  log: (record: Record<string, unknown>) => void;
  /** Where the figures come from (default a FigureCollector over the parts above; a stand-in in unit tests). */
  collector?: Pick<FigureCollector, 'collectSteps' | 'nodeIds' | 'stop'>;
  /** Checks this hub's configuration makes meaningless (the clock's confidence on a hub not told to use peers): left out, not unknown. */
  notApplicable?: readonly string[];
}

/** The latest beat as answered: its judgement, figures and words. */
export interface PulseAnswer {
  id: string;
  metrics: PulseMetrics;
  judgement: Judgement;
  text: string;
  phrased?: { text: string; model: string; at: number } | { error: string; at: number };
}

/**
 * Pulse: every beat it collects the figures (collect-figures.ts), judges
 * them against the checks (judge.ts) and stores the nodes' figures in
 * system.pulse.figures parts and its status changes in system.pulse.changes
 * parts, then a pulse.beat citing them, then one pulse.<status> event per
 * change on the hub's signed chain, citing the beat, PART_CHANGES a commit:
 * rules trigger on those, so "critical → notify" is a rule. The hub's timer
 * runs a beat in turns (beatInTurns) so it never holds the event loop long. On start it
 * judges the stored beats of the checks' longest window again, silently, so
 * windows, pending and keep durations and statuses carry on where they
 * stood and nothing is announced twice.
 */
export class PulseService {
  private readonly judge: Judge;
  private readonly collector: Pick<FigureCollector, 'collectSteps' | 'nodeIds' | 'stop'>;
  private readonly windowMs: number;
  /** Each check's figure, by check id: what a change of it cites. */
  private readonly metricOf: Map<string, string>;
  private last: PulseAnswer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextAt: number | undefined;
  /**
   * Changes (changeData) judged but not said: by a beat that could not be
   * stored (a full disk), or stored and stopped before it said them all
   * (found again on start). Said with the next beat that can.
   */
  private held: ValueMap[] = [];
  /** The beat being run in turns, if one is. */
  private running: Promise<PulseAnswer> | undefined;
  /** Bumped by stop(): a beat in turns started before it stops at its next turn. */
  private generation = 0;

  constructor(private readonly o: PulseServiceOptions) {
    const checks = loadChecks(o.checks).filter((c) => !o.notApplicable?.includes(c.id));
    this.judge = new Judge(checks);
    this.metricOf = new Map(checks.map((c) => [c.id, c.metric]));
    this.windowMs = Math.max(0, ...checks.map((c) => c.windowMs ?? 0));
    const every = o.everyMs ?? DEFAULT_BEAT_MS;
    if (!Number.isSafeInteger(every) || every < 0) throw new RangeError(`pulse every must be a whole number of ms ≥ 0, got ${every}`);
    this.collector = o.collector ?? new FigureCollector(o);
  }

  get everyMs(): number {
    return this.o.everyMs ?? DEFAULT_BEAT_MS;
  }

  /** When the next beat is due on the hub's clock (undefined without a timer). */
  get next(): number | undefined {
    return this.nextAt;
  }

  /** The latest beat, this run's or the stored one before the first. */
  get latest(): PulseAnswer | undefined {
    return this.last;
  }

  /** Restores the counters' states from the log, judges the stored beats again, then beats every everyMs. */
  start(): void {
    restoreCounters(this.o.counters, this.o.cartridge.db, this.collector.nodeIds());
    this.replay();
    const every = this.everyMs;
    if (every > 0) {
      this.nextAt = this.o.clock() + every;
      this.timer = setInterval(() => void this.beatSafely(), every);
      this.timer.unref();
    }
  }

  stop(): void {
    this.generation++;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.nextAt = undefined;
    this.collector.stop();
  }

  /** One beat now, in this turn: collect, judge, store; returns what it stored. */
  beat(): PulseAnswer {
    if (this.running !== undefined) throw new Error('a beat is in progress: wait for it (beatInTurns) before beating again');
    return runNow(this.beatSteps(Number.POSITIVE_INFINITY));
  }

  /**
   * The same beat a bounded slice a turn (NODES_PER_TURN nodes collected or
   * judged, one part stored, PART_CHANGES changes said), so ingest and acks
   * go on in between.
   * A beat already in progress is answered, not started twice; stop()
   * cancels one between turns (it rejects with StepsCancelled). `onSlice`
   * (bench/pulse.ts) is told what each turn's slice took.
   */
  beatInTurns(onSlice?: SliceTimer): Promise<PulseAnswer> {
    if (this.running !== undefined) return this.running;
    const generation = this.generation;
    const run = runInTurns(this.beatSteps(NODES_PER_TURN), () => generation !== this.generation, onSlice);
    this.running = run;
    const done = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(done, done);
    return run;
  }

  /**
   * Collect and judge, `perStep` nodes a step; then each part (figures, then
   * changes) in a commit of its own; then the beat citing them; last, its
   * changes said PART_CHANGES a commit. A hub stopped before the beat
   * leaves parts no beat cites: the replay reads beats only, so it stands
   * at the beat before, as the hub did (nothing of the lost beat was said).
   * A hub stopped while saying the changes leaves a beat whose changes
   * parts list more than was said: the replay holds the rest for the next
   * beat (unsaidChanges), so each is said once.
   */
  private *beatSteps(perStep: number): Steps<PulseAnswer> {
    const metrics = yield* this.collector.collectSteps(perStep);
    yield;
    const judgement = yield* this.judge.judgeSteps(metrics, perStep);
    // Judged: from here on, changes not said (a full disk, a stop between turns) are held for the next beat.
    let changes = this.held;
    let said = 0;
    let answer: PulseAnswer | undefined;
    let storing = false;
    try {
      yield;
      const text = narrate(metrics, judgement, { timeZone: this.o.timeZone, recent: this.recent(metrics) });
      yield;
      const evidence = this.evidence();
      changes = [...this.held, ...judgement.transitions.map((t) => changeData(t, this.causes(evidence, t)))];
      yield;
      const verdicts = verdictsByNode(judgement);
      storing = true;
      const parts: string[] = [];
      for (const part of figuresEvents(metrics, judgement, verdicts)) {
        yield;
        parts.push(this.o.hubLog.appendMany([part])[0].id);
      }
      const changeParts: string[] = [];
      for (const part of changesEvents(judgement.at, changes)) {
        yield;
        changeParts.push(this.o.hubLog.appendMany([part])[0].id);
      }
      yield;
      const [beat] = this.o.hubLog.appendMany([beatEvent(metrics, judgement, text, this.last?.id, parts, changeParts)]);
      answer = { id: beat.id, metrics, judgement, text };
      // Stored: the next beat follows this one, whatever becomes of the changes still to say.
      this.last = answer;
      while (said < changes.length) {
        yield;
        const next = changes.slice(said, said + PART_CHANGES);
        this.o.hubLog.appendMany(next.map((c) => changeEvent(c, beat.id)));
        said += next.length;
      }
    } catch (e) {
      // The beat or its changes could not be stored: a store error like any other, counted for the next beat.
      if (storing) this.o.counters.storeFailed();
      throw e;
    } finally {
      this.held = changes.slice(said);
    }
    if (this.o.phrasing) this.phrase(answer, this.o.phrasing);
    return answer;
  }

  private async beatSafely(): Promise<void> {
    this.nextAt = this.o.clock() + this.everyMs;
    // A beat still running when the next is due (a very slow disk): that one stands for both.
    if (this.running !== undefined) return;
    try {
      await this.beatInTurns();
    } catch (e) {
      if (e instanceof StepsCancelled) return;
      this.o.log({ level: 'error', code: 'pulse-beat', message: (e as Error)?.message ?? String(e) });
    }
  }

  private phrase(answer: PulseAnswer, phrasing: Phrasing): void {
    phrasing
      .phrase({ metrics: answer.metrics, judgement: answer.judgement, text: answer.text })
      .then((r) => {
        answer.phrased = { ...r, at: this.o.clock() };
      })
      .catch((e: unknown) => {
        const message = (e as Error)?.message ?? String(e);
        answer.phrased = { error: message, at: this.o.clock() };
        this.o.log({ level: 'warn', code: 'pulse-phrasing', message });
      });
  }

  /** Each node's latest event and latest system.health: what a change of its status cites beside the beat. */
  private evidence(): Map<string, { lastId?: string; healthId?: string }> {
    const out = new Map<string, { lastId?: string; healthId?: string }>();
    for (const [id, t] of this.o.counters.nodes) out.set(id, { lastId: t.lastId, healthId: t.healthId });
    return out;
  }

  /** The subject's newest event, and the system.health its figure came from when the check reads one (a low battery cites the health that said so). */
  private causes(evidence: Map<string, { lastId?: string; healthId?: string }>, t: Transition): string[] {
    const metric = this.metricOf.get(t.check);
    const e = evidence.get(t.subject);
    const out = e?.lastId ? [e.lastId] : [];
    if (e?.healthId && e.healthId !== e.lastId && metric !== undefined && HEALTH_METRICS.has(metric)) out.push(e.healthId);
    if (metric === 'forkedAt' && t.to !== 'healthy') out.push(...this.forkEvent(t.subject));
    return out;
  }

  /** The hub-chain system.mesh.fork that first reported the node's fork (what node.forked cites), if this hub saw it. */
  private forkEvent(node: string): string[] {
    const page = this.o.cartridge.events({ node: this.o.hubLog.id, type: 'system.mesh.fork', limit: 1000 });
    const hit = page.events.find((e) => isValueMap(e.data) && e.data.node === node);
    return hit ? [hit.id] : [];
  }

  private recent(m: PulseMetrics): SensorChange[] {
    return this.o.counters.recent.map((c) => ({ node: m.nodes[c.node]?.name ?? c.node, sensor: c.sensor, from: c.from, to: c.to, at: c.at }));
  }

  /** Judges the stored beats of the longest window again, without storing anything, and answers with the latest. */
  private replay(): void {
    const hub = this.o.hubLog.id;
    const since = this.o.clock() - this.windowMs;
    const beats: EventEntry[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const p = this.o.cartridge.events({ node: hub, type: 'pulse.beat', since, limit: 1000, cursor });
      beats.push(...p.events);
      if (!p.next) break;
      cursor = p.next;
    }
    const latest = this.o.cartridge.events({ node: hub, type: 'pulse.beat', order: 'desc', limit: 1 }).events[0];
    const parts = storedParts(this.o.cartridge, hub, since);
    if (latest && !beats.some((b) => b.id === latest.id)) {
      beats.push(latest);
      if (isValueMap(latest.data) && typeof latest.data.at === 'number')
        for (const [id, p] of storedParts(this.o.cartridge, hub, latest.data.at, latest.data.at + 1)) parts.set(id, p);
    }
    let whole: { beat: EventEntry; d: ValueMap } | undefined;
    for (const b of beats) {
      const stored = b.data as ValueMap;
      const d = isValueMap(stored) ? wholeBeat(stored, parts) : undefined;
      const m = d ? metricsOfBeat(d) : undefined;
      if (!d || !m) continue;
      const judgement = this.judge.judge(m);
      this.last = { id: b.id, metrics: m, judgement, text: typeof d.text === 'string' ? d.text : '' };
      whole = { beat: b, d };
    }
    // The latest beat's changes a stop cut short: the next beat says them (they were judged; the judge now stands past them).
    this.held = whole && whole.beat.id === latest?.id ? unsaidChanges(this.o.cartridge, hub, whole.beat, whole.d) : [];
  }
}
