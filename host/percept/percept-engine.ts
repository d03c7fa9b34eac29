import type { ValueMap } from '../../firmware/codec/value.js';
import { sourceNode, type EventEntry } from '../../firmware/event/envelope.js';
import type { HubLog } from '../hub/hub-log.js';
import type { Cartridge } from '../store/cartridge.js';
import { GestureKind } from './gesture.js';
import { LevelKind } from './level.js';
import { NodeSilence } from './node-silence.js';
import { type Percept, type PerceptKind, perceivedOfHub } from './percept-kind.js';
import { resolvePerceptOptions, type PerceptOptions, type ResolvedPerceptOptions } from './percept-options.js';
import { PresenceKind } from './presence.js';
import { rebuildPercepts, type Replayer } from './rebuild-percepts.js';
import { SensorHealthKind } from './sensor-health.js';
import { SensorSilenceKind } from './sensor-silence.js';
import { type Series, ThresholdKind, type WatchLimits } from './threshold.js';
import { TrendKind } from './trend.js';

export interface PerceptEngineOptions {
  cartridge: Cartridge;
  /** Where percepts go: the hub's own signed chain. */
  hubLog: HubLog;
  /** The hub's one clock. */
  clock: () => number;
  options?: PerceptOptions;
  /** One-line records (recovered percepts, a failed append). */
  log?: (record: Record<string, unknown>) => void;
}

/** Every percept is made by the hub's component 'percept'. */
const COMPONENT = 'percept';

/**
 * Turns what nodes report, and what the hub's own BLE devices report, into
 * percepts on the hub's own chain (README "Percepts"): it follows the
 * post-commit hook, hands each node event (and each BLE sensor event) in
 * commit order to every kind, and appends what they say, each citing its
 * causes, as one signed batch per commit. It keeps no state outside the
 * cartridge: start() rebuilds it from the stored log (rebuild-percepts.ts)
 * and appends the percepts a crash kept from being stored.
 */
export class PerceptEngine {
  private readonly o: ResolvedPerceptOptions;
  private readonly kinds: PerceptKind[];
  private readonly byType = new Map<string, PerceptKind>();
  private readonly levels: LevelKind;
  private readonly thresholds: ThresholdKind;
  private readonly nodeSilence: NodeSilence;
  /** Where each node's replay began (its clock); absent: seen live from its first event. */
  private readonly from = new Map<string, number>();
  private readonly nodes = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly e: PerceptEngineOptions) {
    this.o = resolvePerceptOptions(e.options);
    this.levels = new LevelKind(this.o.level);
    this.thresholds = new ThresholdKind(this.levels);
    this.nodeSilence = new NodeSilence(this.o.silent);
    this.kinds = [
      this.levels,
      new TrendKind(this.o.trend),
      this.thresholds,
      new PresenceKind(this.o.presence.holdMs),
      new GestureKind(this.o.gesture.doubleClickMs),
      new SensorHealthKind(),
      new SensorSilenceKind(this.o.silent),
    ];
    for (const k of this.kinds) for (const t of k.types) this.byType.set(t, k);
  }

  /** Rebuilds from the log, then follows every commit and (every tickMs) the hub's clock. */
  start(): void {
    if (this.unsubscribe) throw new Error('the percept engine is already started');
    const now = this.e.clock();
    const lost = rebuildPercepts(this.replayer(), this.e.cartridge, this.e.hubLog.id, now, this.o);
    this.nodeSilence.start(now);
    if (lost.length) this.e.log?.({ level: 'info', code: 'percepts-recovered', count: lost.length });
    this.emit(lost);
    // Entries replicated from a paired hub are that hub's to perceive (it got them from the node): perceived here, they would act twice.
    this.unsubscribe = this.e.cartridge.onStored((entries, _at, origin) => {
      if (origin !== 'mesh') this.stored(entries);
    });
    if (this.o.tickMs > 0) {
      this.timer = setInterval(() => this.tick(), this.o.tickMs);
      this.timer.unref();
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Decides the deadlines the hub's clock has passed (the timer calls it; tests may too). */
  tick(): void {
    if (!this.unsubscribe) return; // stopped: a stopped hub decides nothing
    const out: Percept[] = [];
    const now = this.e.clock();
    for (const node of this.nodes) for (const k of this.kinds) k.due(node, now - this.o.arrivalSlackMs, true, out);
    this.nodeSilence.tick(now, out);
    this.emit(out);
  }

  /**
   * Watches a series against limits with hysteresis: each crossing is a
   * percept.threshold (ThresholdKind). Returns the function that ends it.
   */
  watch(series: Series, limits: WatchLimits): () => void {
    const out: Percept[] = [];
    const unwatch = this.thresholds.watch(series, limits, out);
    this.emit(out);
    return unwatch;
  }

  private stored(entries: readonly EventEntry[]): void {
    const out: Percept[] = [];
    const byNode = new Map<string, EventEntry[]>();
    const hub = this.e.hubLog.id;
    let own = false;
    for (const e of entries) {
      const node = sourceNode(e.source);
      if (node === hub) {
        own ||= perceivedOfHub(e, hub);
        continue;
      }
      const list = byNode.get(node);
      if (list) list.push(e);
      else byNode.set(node, [e]);
    }
    if (byNode.size === 0 && !own) return;
    const now = this.e.clock();
    // The hub is always heard: a node's silence is judged, never the hub's.
    for (const [node, list] of byNode) this.nodeSilence.arrived(node, list, now, out);
    for (const e of entries) if (byNode.has(sourceNode(e.source)) || perceivedOfHub(e, hub)) this.step(e, out);
    this.emit(out);
  }

  private step(entry: EventEntry, out: Percept[]): void {
    const node = sourceNode(entry.source);
    this.nodes.add(node);
    for (const k of this.kinds) k.due(node, entry.time, false, out);
    const ob = { entry, node, component: entry.source.slice(node.length + 1), from: this.from.get(node) ?? Number.NEGATIVE_INFINITY };
    for (const k of this.kinds) k.observe(ob, out);
  }

  private emit(out: Percept[]): void {
    if (out.length === 0) return;
    try {
      // Percepts are derived from the log (start() appends those a power loss took): no fsync of their own (Cartridge.derived).
      this.e.cartridge.derived(() => this.e.hubLog.appendMany(out.map((p) => ({ type: p.type, component: COMPONENT, data: p.data }))));
    } catch (err) {
      // What was judged stays judged; the percepts it said are made again by the rebuild on the next start.
      this.e.log?.({ level: 'error', code: 'percept-append', message: (err as Error)?.message ?? String(err), count: out.length });
    }
  }

  private replayer(): Replayer {
    return {
      types: [...this.byType.keys()],
      step: (entry, out) => this.step(entry, out),
      due: (node, now, timer, out) => {
        for (const k of this.kinds) k.due(node, now, timer, out);
      },
      apply: (type: string, data: ValueMap) => {
        if (type === 'percept.silent' && typeof data.component !== 'string') this.nodeSilence.apply(data);
        else this.byType.get(type)?.apply(type, data);
      },
      restoreNode: (node, arrivals, last, boot) => this.nodeSilence.restore(node, arrivals, last, boot),
      setFrom: (node, from) => {
        this.from.set(node, from);
        this.nodes.add(node);
      },
    };
  }
}
