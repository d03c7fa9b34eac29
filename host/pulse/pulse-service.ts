import { isValueMap, type ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { HubLog } from '../hub/hub-log.js';
import { beatEvent, metricsOfBeat, transitionEvent } from './beat-events.js';
import { type CollectOptions, FigureCollector, HEALTH_METRICS } from './collect-figures.js';
import { restoreCounters } from './restore-counters.js';
import { Judge, loadChecks } from './judge.js';
import { narrate, type SensorChange } from './narrate.js';
import type { Phrasing } from './phrasing.js';
import type { Judgement, PulseMetrics, Transition } from './pulse-types.js';

/** How often the hub beats unless told (README "Pulse"). */
const DEFAULT_BEAT_MS = 15 * 60_000;

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
  collector?: Pick<FigureCollector, 'collect' | 'nodeIds' | 'stop'>;
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
 * them against the checks (judge.ts) and stores a pulse.beat and one
 * pulse.<status> event per change on the hub's signed chain, in one commit:
 * rules trigger on those, so "critical → notify" is a rule. On start it
 * judges the stored beats of the checks' longest window again, silently, so
 * windows, pending and keep durations and statuses carry on where they
 * stood and nothing is announced twice.
 */
export class PulseService {
  private readonly judge: Judge;
  private readonly collector: Pick<FigureCollector, 'collect' | 'nodeIds' | 'stop'>;
  private readonly windowMs: number;
  /** Each check's figure, by check id: what a change of it cites. */
  private readonly metricOf: Map<string, string>;
  private last: PulseAnswer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextAt: number | undefined;
  /** Changes judged by a beat that could not be stored (a full disk): said with the next beat that can. */
  private held: Transition[] = [];

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
      this.timer = setInterval(() => this.beatSafely(), every);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.nextAt = undefined;
    this.collector.stop();
  }

  /** One beat now: collect, judge, store; returns what it stored. */
  beat(): PulseAnswer {
    const metrics = this.collector.collect();
    const judgement = this.judge.judge(metrics);
    const text = narrate(metrics, judgement, { timeZone: this.o.timeZone, recent: this.recent(metrics) });
    const evidence = this.evidence();
    const changes = [...this.held, ...judgement.transitions];
    let answer: PulseAnswer;
    try {
      answer = this.o.hubLog.atomically(() => {
        const [beat] = this.o.hubLog.appendMany([beatEvent(metrics, judgement, text, this.last?.id)]);
        if (changes.length) this.o.hubLog.appendMany(changes.map((t) => transitionEvent(t, [beat.id, ...this.causes(evidence, t)])));
        return { id: beat.id, metrics, judgement, text };
      });
    } catch (e) {
      // The beat itself could not be stored: a store error like any other, counted for the next beat.
      this.o.counters.storeFailed();
      this.held = changes;
      throw e;
    }
    this.held = [];
    this.last = answer;
    if (this.o.phrasing) this.phrase(answer, this.o.phrasing);
    return answer;
  }

  private beatSafely(): void {
    this.nextAt = this.o.clock() + this.everyMs;
    try {
      this.beat();
    } catch (e) {
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
    if (latest && !beats.some((b) => b.id === latest.id)) beats.push(latest);
    for (const b of beats) {
      const d = b.data as ValueMap;
      const m = isValueMap(d) ? metricsOfBeat(d) : undefined;
      if (!m) continue;
      const judgement = this.judge.judge(m);
      this.last = { id: b.id, metrics: m, judgement, text: typeof d.text === 'string' ? d.text : '' };
    }
  }
}
