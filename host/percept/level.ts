import type { ValueMap } from '../../firmware/codec/value.js';
import { goodNumber, type Observed, type Percept, type PerceptKind, text } from './percept-kind.js';
import type { ResolvedPerceptOptions } from './percept-options.js';

/** The newest good value of a series (what a new threshold watch starts from). */
export interface Latest {
  value: number;
  unit?: string;
  at: number;
  id: string;
}

export function seriesKey(node: string, component: string, name: string): string {
  return `${node}/${component}/${name}`;
}

/**
 * percept.level: a series' level with its unit, deadbanded and rate-limited.
 * A good numeric reading is said when the series has no level yet, when it
 * moved from the last said level by its deadband (the unit's absolute one,
 * else a fraction of the level) and the minimum interval has passed, or when
 * the refresh interval has passed. Uncertain and bad readings are not levels.
 */
export class LevelKind implements PerceptKind {
  readonly types = ['percept.level'] as const;
  private readonly said = new Map<string, { value: number; at: number }>();
  private readonly latest = new Map<string, Latest>();

  constructor(private readonly o: ResolvedPerceptOptions['level']) {}

  latestOf(key: string): Latest | undefined {
    return this.latest.get(key);
  }

  observe(ob: Observed, out: Percept[]): void {
    const r = goodNumber(ob.entry);
    if (!r) return;
    const key = seriesKey(ob.node, ob.component, r.name);
    const t = ob.entry.time;
    const l: Latest = { value: r.value, at: t, id: ob.entry.id };
    if (r.unit !== undefined) l.unit = r.unit;
    this.latest.set(key, l);
    const last = this.said.get(key);
    if (last) {
      // A clock that stepped back counts as time passed: the next level is not held back for as long as the step.
      const elapsed = t >= last.at ? t - last.at : Number.POSITIVE_INFINITY;
      const band = r.unit !== undefined && this.o.deadband[r.unit] !== undefined ? this.o.deadband[r.unit] : this.o.relativeDeadband * Math.abs(last.value);
      const moved = Math.abs(r.value - last.value) >= band && elapsed >= this.o.minIntervalMs;
      if (!moved && elapsed < this.o.refreshMs) return;
    }
    this.said.set(key, { value: r.value, at: t });
    const data: ValueMap = { node: ob.node, component: ob.component, name: r.name, value: r.value };
    if (r.unit !== undefined) data.unit = r.unit;
    data.at = t;
    data.causes = [ob.entry.id];
    out.push({ type: 'percept.level', data });
  }

  due(): void {}

  apply(_type: string, d: ValueMap): void {
    if (typeof d.value === 'number' && typeof d.at === 'number')
      this.said.set(seriesKey(text(d.node), text(d.component), text(d.name)), { value: d.value, at: d.at });
  }
}
