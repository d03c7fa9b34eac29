import { fromJsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { type EventEntry, sourceNode } from '../../firmware/event/envelope.js';
import type { HubLog } from '../hub/hub-log.js';
import { ruleNode, ruleNodes } from '../hub/rule-nodes.js';
import { checkRuleTargets, type LoggedEntry, compileRule, type CompiledRule, type Firing, type NodeRef, RuleEngine, RuleError } from '../rules/index.js';
import type { Cartridge } from '../store/cartridge.js';
import { PendingDefaults } from './default-rules.js';
import { EffectRunner } from './effect-runner.js';
import { replayRules } from './replay-rules.js';
import { RuleSnapshots, type RulesState } from './rule-snapshots.js';

export interface RuleServiceOptions {
  cartridge: Cartridge;
  hubLog: HubLog;
  /** The hub's one clock (the Timekeeper's). */
  clock: () => number;
  /** The owner's IANA zone for schedules (default UTC). */
  timeZone?: string;
  /** Where notifications are also POSTed. */
  notifyUrl?: string;
  /**
   * Rules the hub ships with: added once, on the first start that has never seen their id.
   * One that names a node, or an output, the hub does not know yet waits until a node's
   * system.boot brings it (the demo's nodes enrol after the hub starts).
   */
  defaults?: readonly unknown[];
  log: (record: Record<string, unknown>) => void;
  /**
   * When the rules' state is written to the cartridge (so a start replays only what came after it): once this
   * many entries were decided on since the last one, or this much hub time passed with any (defaults 10,000 and
   * 5 minutes); and at every clean stop.
   */
  snapshotEvery?: { entries?: number; ms?: number };
}

/** How the last start rebuilt the rules' state: from a snapshot and the entries after it, or from the whole log. */
export interface RulesStart {
  from: 'snapshot' | 'log';
  /** Stored entries the start fed the engine. */
  replayed: number;
  /** Why a snapshot there was not used. */
  refused?: string;
}

/** A rule as the API shows it. */
export interface RuleSummary {
  id: string;
  name: string;
  enabled: boolean;
  version: string;
  document: unknown;
  /** Why loop protection stopped it (until it is changed or enabled again). */
  stopped: string | null;
  /** Firings since the hub's log began (replayed on start), and the latest one's time. */
  firings: number;
  lastFiredAt: number | null;
}

export type RuleChange = 'added' | 'changed' | 'unchanged';

// setTimeout's limit; a later due time is simply looked at again then.
const MAX_WAIT = 2 ** 31 - 1;

/**
 * The live rule engine of the hub. On start it takes its latest snapshot
 * (host/effect/rule-snapshots.ts) and replays the log stored after it, or
 * with none it can take, the whole stored log, in the order it was stored
 * (rules come back with their system.rule.* events, and every for: window,
 * run and cooldown resumes where it stood), carries out
 * what it decided past the rules cursor (a firing a crash cut off before
 * its commit: host/effect/replay-rules.ts), then takes
 * each commit from the post-commit hook and wakes for the engine's timers.
 * What fires is carried out by the EffectRunner. Rule changes are events on
 * the hub's chain, checked first: the schema, then the targets against the
 * enrolled nodes' boards and outputs; a refusal names the path.
 */
export class RuleService {
  readonly timeZone: string;
  private engine: RuleEngine;
  private readonly refs: NodeRef[] = [];
  private readonly runner: EffectRunner;
  private readonly stats = new Map<string, { firings: number; lastFiredAt: number }>();
  private readonly seen = new Set<string>();
  private defaults: PendingDefaults | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedWith: RulesStart | undefined;
  private readonly snapshots: RuleSnapshots;
  private readonly state = (): RulesState => ({ engine: this.engine.snapshot(), stats: [...this.stats], seen: [...this.seen] });

  constructor(private readonly o: RuleServiceOptions) {
    this.timeZone = o.timeZone ?? 'UTC';
    this.engine = this.freshEngine();
    this.runner = new EffectRunner({ cartridge: o.cartridge, hubLog: o.hubLog, notifyUrl: o.notifyUrl, log: o.log });
    this.snapshots = new RuleSnapshots({ cartridge: o.cartridge, clock: o.clock, every: o.snapshotEvery, log: o.log });
    // What is stored from now on is the rules' to decide on, even before start() replays the log.
    o.cartridge.rulesCursor.attach();
  }

  /** How the last start rebuilt the rules' state (undefined before start). */
  get started(): RulesStart | undefined {
    return this.startedWith;
  }

  start(): void {
    this.refreshNodes();
    const cursor = this.o.cartridge.rulesCursor;
    const from = cursor.position();
    // The latest snapshot and what was stored after it, or (none, or one this code cannot take) the whole log.
    const { position, refused } = this.snapshots.load(from, (s) => this.restore(s));
    const recorded = this.o.cartridge.recorded;
    const log = position ? recorded.after(position, this.o.hubLog.id) : recorded.between(0, Number.MAX_SAFE_INTEGER, this.o.hubLog.id);
    let replayed = 0;
    // Decisions made again while replaying were carried out when first made, unless the cursor says their commit never came.
    // The firings count comes from the runs this hub's chain says it started, not from what the replay decides again:
    // a paired hub's replicated entries are decided on too, but their runs were the other hub's to carry out.
    const seen = (e: LoggedEntry) => {
      replayed++;
      this.noteAdded(e);
      this.noteRun(e);
    };
    const { late, reached } = replayRules(this.engine, log, from, { seen });
    for (const [chain, seq] of reached) {
      cursor.mark(chain, seq);
      this.snapshots.mark(chain, seq);
    }
    this.startedWith = { from: position ? 'snapshot' : 'log', replayed, ...(refused && { refused }) };
    if (refused) this.o.log({ level: 'warn', code: 'rule-snapshot', message: `the rules' snapshot was not used (${refused}): the whole log was replayed` });
    for (const p of this.engine.problems) this.o.log({ level: 'warn', code: 'rule-replay', message: p });
    this.snapshots.started(replayed);
    // Rules act on what this hub received itself; a paired hub's replicated entries are its own rules' to act on (an effect once, not per hub).
    this.unsubscribe = this.o.cartridge.onStored((entries, receivedAt, origin) => {
      if (origin !== 'mesh') this.stored(entries, receivedAt);
      else for (const e of entries) this.snapshots.mark(sourceNode(e.source), e.seq);
    });
    if (late.length)
      this.o.log({ level: 'warn', code: 'rule-late', message: `${late.length} firing(s) cut off by a crash before their commit, carried out now` });
    this.count(late);
    this.carry(late);
    // Timers that came due while the hub was down fire now (those carried out before it stopped do not fire again).
    this.run(() => {
      const due = this.engine.advanceTo(this.o.clock());
      return due.filter((f) => f.at > from.timers); // those at or before it were carried out, and counted from the chain
    });
    this.snapshots.soon(this.state); // a long replay is not to be done again
    this.defaults = new PendingDefaults(this.o.defaults ?? [], (id) => this.seen.has(id));
    this.defaults.add(
      (doc) => this.record(doc),
      (e) => {
        throw e; // a shipped rule that can never be added fails the start
      },
    );
  }

  async stop(): Promise<void> {
    const running = this.unsubscribe !== undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    if (running) this.snapshots.stop(this.state);
    try {
      this.o.cartridge.rulesCursor.detach();
    } catch (e) {
      this.o.log({ level: 'error', code: 'rules', message: `the rules cursor was not written: ${(e as Error)?.message ?? String(e)}` });
    }
    await this.runner.stop();
  }

  /** Adds a rule or changes the one with its id; refused (RuleError naming the path) before anything is stored. */
  put(doc: unknown): { change: RuleChange; rule: RuleSummary } {
    const { change, id } = this.record(doc);
    return { change, rule: this.summary(this.known(id)) };
  }

  /**
   * Checks the document and appends its system.rule.* event (the engine takes it as it
   * is stored: from inside the post-commit hook, only after the hook is done).
   */
  private record(doc: unknown): { change: RuleChange; id: string } {
    this.refreshNodes();
    const compiled = compileRule(doc, { timeZone: this.timeZone, nodes: this.refs });
    const { targets, sensors } = ruleNodes(this.o.cartridge, this.o.hubLog.id);
    checkRuleTargets(compiled.doc, targets, sensors);
    const current = this.find(compiled.id);
    if (current && current.version === compiled.version) {
      if (this.isEnabled(current.id) !== compiled.enabled) this.setEnabled(compiled.id, compiled.enabled);
      return { change: 'unchanged', id: compiled.id };
    }
    const change = current ? 'changed' : 'added';
    this.o.hubLog.append(`system.rule.${change}`, 'rules', { id: compiled.id, version: compiled.version, rule: fromJsonValue(doc) });
    return { change, id: compiled.id };
  }

  enable(id: string): RuleSummary {
    this.setEnabled(this.known(id).id, true);
    return this.summary(this.known(id));
  }

  disable(id: string): RuleSummary {
    this.setEnabled(this.known(id).id, false);
    return this.summary(this.known(id));
  }

  remove(id: string): void {
    const r = this.known(id);
    this.o.hubLog.append('system.rule.removed', 'rules', { id: r.id, version: r.version });
  }

  list(): RuleSummary[] {
    return this.engine
      .rules()
      .map((r) => this.summary(r))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  get(id: string): RuleSummary | undefined {
    const r = this.find(id);
    return r ? this.summary(r) : undefined;
  }

  private setEnabled(id: string, on: boolean): void {
    this.o.hubLog.append(on ? 'system.rule.enabled' : 'system.rule.disabled', 'rules', { id, version: this.known(id).version });
  }

  private isEnabled(id: string): boolean {
    return this.engine.runtime(id) !== undefined;
  }

  private find(id: string): CompiledRule | undefined {
    return this.engine.rules().find((r) => r.id === id);
  }

  private known(id: string): CompiledRule {
    const r = this.find(id);
    if (!r) throw new RuleError('unknown-rule', '/id', `no rule '${id}' on this hub`);
    return r;
  }

  private summary(r: CompiledRule): RuleSummary {
    const s = this.stats.get(r.id);
    return {
      id: r.id,
      name: r.doc.name,
      enabled: this.isEnabled(r.id),
      version: r.version,
      document: r.doc,
      stopped: this.engine.runtime(r.id)?.stoppedReason ?? null,
      firings: s?.firings ?? 0,
      lastFiredAt: s?.lastFiredAt ?? null,
    };
  }

  private stored(entries: readonly EventEntry[], receivedAt: number): void {
    let booted = false;
    for (const e of entries) {
      this.noteAdded(e);
      if (e.type !== 'system.boot') continue;
      booted = true;
      this.refreshNode(sourceNode(e.source)); // its outputs, for rules compiled from now on
    }
    for (const e of entries) this.snapshots.mark(sourceNode(e.source), e.seq);
    this.snapshots.decided(entries.length);
    this.run(() => this.engine.ingest(entries, receivedAt), entries);
    this.snapshots.soon(this.state);
    if (booted && this.defaults?.size)
      this.defaults.add(
        (doc) => this.record(doc),
        (e) => this.o.log({ level: 'error', code: 'rule-default', message: (e as Error)?.message ?? String(e) }),
      );
  }

  /** Decides on `entries` (or the time), carries out what fired, and sets the wake-up for the engine's next timer. */
  private run(decide: () => Firing[], entries: readonly LoggedEntry[] = []): void {
    let firings: Firing[] = [];
    try {
      firings = decide();
    } catch (e) {
      this.snapshots.broken();
      this.o.log({ level: 'error', code: 'rules', message: (e as Error)?.message ?? String(e) });
    }
    this.count(firings);
    // Decided on: the cursor moves with the firing's commit, or else with the next batch stored (host/store/rules-cursor.ts).
    this.o.cartridge.rulesCursor.decided(entries);
    this.carry(firings);
    this.schedule();
  }

  /**
   * Carries out firings. What one batch or one timer set off is stored with one commit (each commit waits for
   * the disk), and the rules cursor with it: a restart after that commit does not carry them out again.
   */
  private carry(firings: readonly Firing[]): void {
    if (firings.length === 0) return;
    const cursor = this.o.cartridge.rulesCursor;
    cursor.timersThrough(this.engine.now);
    try {
      this.o.hubLog.atomically(() => {
        for (const f of firings) {
          try {
            this.runner.carry(f);
          } catch (e) {
            this.o.log({ level: 'error', code: 'effects', rule: f.rule, message: (e as Error)?.message ?? String(e) });
          }
        }
        cursor.flush();
      });
    } catch (e) {
      this.snapshots.broken();
      this.o.log({ level: 'error', code: 'effects', message: (e as Error)?.message ?? String(e) });
    }
  }

  /** A snapshot's state into the fresh engine and counts; throws (the engine is then fresh again) when this code cannot take it. */
  private restore(s: RulesState): void {
    try {
      this.engine.restore(s.engine);
      for (const [rule, stat] of s.stats) this.stats.set(rule, { ...stat });
      for (const id of s.seen) this.seen.add(id);
    } catch (e) {
      this.engine = this.freshEngine();
      this.stats.clear();
      this.seen.clear();
      throw e;
    }
  }

  private freshEngine(): RuleEngine {
    // The engine reads the refs array when it compiles a rule: refreshed in place as nodes enrol and boot.
    return new RuleEngine({ timeZone: this.timeZone, hubId: this.o.hubLog.id, nodes: this.refs });
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.unsubscribe) return;
    const due = this.engine.nextDue();
    if (due === undefined) return;
    this.timer = setTimeout(() => this.run(() => this.engine.advanceTo(this.o.clock())), Math.min(MAX_WAIT, Math.max(0, due - this.o.clock())));
    this.timer.unref();
  }

  private count(firings: readonly Firing[]): void {
    for (const f of firings) if (f.outcome === 'fired') this.tally(f.rule, f.at);
  }

  private tally(rule: string, at: number): void {
    const s = this.stats.get(rule) ?? { firings: 0, lastFiredAt: 0 };
    s.firings++;
    s.lastFiredAt = at;
    this.stats.set(rule, s);
  }

  /** A run this hub started, as its chain recorded it (replayed on start). */
  private noteRun(e: LoggedEntry): void {
    if (e.type !== 'system.rule.fired' || !e.source.startsWith(`${this.o.hubLog.id}/`)) return;
    const d = e.data as ValueMap;
    if (d.outcome === 'fired' && typeof d.rule === 'string' && typeof d.at === 'number') this.tally(d.rule, d.at);
  }

  /** Remembers every rule id the hub's chain ever added, so a default the owner removed stays removed. */
  private noteAdded(e: LoggedEntry): void {
    if (e.type !== 'system.rule.added' || !e.source.startsWith(`${this.o.hubLog.id}/`)) return;
    const d = e.data as ValueMap;
    if (typeof d.id === 'string') this.seen.add(d.id);
  }

  /** One node's name and outputs again, by point lookups (a node that enrolled since joins). */
  private refreshNode(id: string): void {
    const ref = ruleNode(this.o.cartridge, id);
    if (!ref) return;
    const at = this.refs.findIndex((r) => r.id === id);
    if (at < 0) this.refs.push(ref);
    else this.refs[at] = ref;
  }

  private refreshNodes(): void {
    const fresh = ruleNodes(this.o.cartridge, this.o.hubLog.id).refs;
    this.refs.splice(0, this.refs.length, ...fresh);
  }
}
