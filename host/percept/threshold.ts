import type { ValueMap } from '../../firmware/codec/value.js';
import { type LevelKind, seriesKey } from './level.js';
import { goodNumber, type Observed, type Percept, type PerceptKind, text } from './percept-kind.js';

/** A series: one reading name of one component of one node. */
export interface Series {
  node: string;
  component: string;
  name: string;
}

/** Limits to watch a series against; at least one of above and below. */
export interface WatchLimits {
  above?: number;
  below?: number;
  /** How far back past a limit a value must come to leave that side (≥ 0). */
  hysteresis: number;
}

type Side = 'above' | 'below' | 'within';

interface Watch {
  key: string;
  series: Series;
  limits: WatchLimits;
  side?: Side;
  refs: number;
}

/**
 * percept.threshold: watched series crossing their limits with hysteresis.
 * A series goes above when a good reading exceeds `above` and stays above
 * until one falls under `above - hysteresis` (below mirrors it), so values
 * hovering at a limit do not chatter. A new watch starts on the side the
 * series' latest reading is on, or on the side its last stored crossing left
 * it (a restarted hub resumes, and says a crossing it missed), without
 * saying anything for where it starts. Watches with the same series and
 * limits are one watch.
 */
export class ThresholdKind implements PerceptKind {
  readonly types = ['percept.threshold'] as const;
  private readonly watches = new Map<string, Watch>();
  private readonly bySeries = new Map<string, Watch[]>();
  /** The side each watch key's last stored crossing left it on. */
  private readonly stored = new Map<string, Side>();

  constructor(private readonly levels: LevelKind) {}

  /** Starts (or shares) a watch; what its start says goes to `out`. Returns the function that ends it. */
  watch(series: Series, limits: WatchLimits, out: Percept[]): () => void {
    const key = watchKey(series, limits);
    let w = this.watches.get(key);
    if (!w) {
      w = { key, series: { node: series.node, component: series.component, name: series.name }, limits: { ...limits }, refs: 0, side: this.stored.get(key) };
      this.watches.set(key, w);
      const sk = seriesKey(series.node, series.component, series.name);
      this.bySeries.set(sk, [...(this.bySeries.get(sk) ?? []), w]);
      const latest = this.levels.latestOf(sk);
      if (latest) this.judge(w, latest.value, latest.unit, latest.at, latest.id, out);
    }
    w.refs++;
    const watch = w;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--watch.refs > 0) return;
      this.watches.delete(key);
      const sk = seriesKey(watch.series.node, watch.series.component, watch.series.name);
      const rest = (this.bySeries.get(sk) ?? []).filter((x) => x !== watch);
      if (rest.length) this.bySeries.set(sk, rest);
      else this.bySeries.delete(sk);
    };
  }

  observe(ob: Observed, out: Percept[]): void {
    if (this.bySeries.size === 0) return;
    const r = goodNumber(ob.entry);
    if (!r) return;
    const ws = this.bySeries.get(seriesKey(ob.node, ob.component, r.name));
    if (ws) for (const w of ws) this.judge(w, r.value, r.unit, ob.entry.time, ob.entry.id, out);
  }

  due(): void {}

  apply(_type: string, d: ValueMap): void {
    const side = d.state;
    if (side !== 'above' && side !== 'below' && side !== 'within') return;
    const key = text(d.watch);
    this.stored.set(key, side);
    const w = this.watches.get(key);
    if (w) w.side = side;
  }

  private judge(w: Watch, value: number, unit: string | undefined, at: number, id: string, out: Percept[]): void {
    const next = sideOf(w.limits, w.side, value);
    const was = w.side;
    w.side = next;
    if (was === undefined || was === next) return;
    const l = w.limits;
    const data: ValueMap = { ...w.series, value };
    if (unit !== undefined) data.unit = unit;
    Object.assign(data, { state: next, from: was });
    if (l.above !== undefined) data.above = l.above;
    if (l.below !== undefined) data.below = l.below;
    Object.assign(data, { hysteresis: l.hysteresis, watch: w.key, at, causes: [id] });
    out.push({ type: 'percept.threshold', data });
  }
}

function sideOf(l: WatchLimits, was: Side | undefined, v: number): Side {
  if (l.above !== undefined && v > l.above) return 'above';
  if (l.below !== undefined && v < l.below) return 'below';
  if (was === 'above' && l.above !== undefined && v >= l.above - l.hysteresis) return 'above';
  if (was === 'below' && l.below !== undefined && v <= l.below + l.hysteresis) return 'below';
  return 'within';
}

const COMPONENT = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
const NODE = /^fz[a-z2-7]{24}$/;

/** The watch's key after checking its arguments, each refusal naming what was wrong. */
function watchKey(s: Series, l: WatchLimits): string {
  if (!s || typeof s !== 'object') throw new TypeError('series must be { node, component, name }');
  if (typeof s.node !== 'string' || !NODE.test(s.node)) throw new RangeError(`series.node must be a node id, got ${JSON.stringify(s.node)}`);
  if (typeof s.component !== 'string' || !COMPONENT.test(s.component))
    throw new RangeError(`series.component must match ${COMPONENT}, got ${JSON.stringify(s.component)}`);
  if (typeof s.name !== 'string' || s.name.length === 0 || s.name.length > 64)
    throw new RangeError(`series.name must be 1 to 64 characters, got ${JSON.stringify(s.name)}`);
  if (!l || typeof l !== 'object') throw new TypeError('limits must be { above?, below?, hysteresis }');
  for (const k of ['above', 'below'] as const)
    if (l[k] !== undefined && (typeof l[k] !== 'number' || !Number.isFinite(l[k])))
      throw new RangeError(`limits.${k} must be a finite number, got ${String(l[k])}`);
  if (l.above === undefined && l.below === undefined) throw new RangeError('limits need above, below or both');
  if (typeof l.hysteresis !== 'number' || !Number.isFinite(l.hysteresis) || l.hysteresis < 0)
    throw new RangeError(`limits.hysteresis must be a number ≥ 0, got ${String(l.hysteresis)}`);
  if (l.above !== undefined && l.below !== undefined && l.below + l.hysteresis > l.above - l.hysteresis)
    throw new RangeError(`limits overlap: below + hysteresis (${l.below + l.hysteresis}) is over above - hysteresis (${l.above - l.hysteresis})`);
  const key = `${s.node}/${s.component}/${s.name} above=${l.above ?? '-'} below=${l.below ?? '-'} hysteresis=${l.hysteresis}`;
  if (key.length > 200) throw new RangeError('series.name is too long for a watch key');
  return key;
}
