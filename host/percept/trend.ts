import type { ValueMap } from '../../firmware/codec/value.js';
import { seriesKey } from './level.js';
import { cite, goodNumber, type Observed, type Percept, type PerceptKind, text } from './percept-kind.js';
import type { ResolvedPerceptOptions } from './percept-options.js';
import { SlidingFit } from './sliding-fit.js';

type Direction = 'rising' | 'falling' | 'stable';

/** The decision's margin: within it of a band edge the running sums are not trusted and the fit is redone from the points. */
const NEAR = 1e-6;

/**
 * percept.trend: rising, falling or stable, with the rate per hour, from a
 * least-squares fit over the good readings of a sliding window. A series
 * turns rising (falling) when the rate reaches the unit's band, and stable
 * again only when it falls below half of it, so a rate hovering at the edge
 * does not chatter. Said when the direction changes, once the window holds
 * minPoints readings over at least half its length; after a restart, only
 * once the replay has filled a whole window.
 */
export class TrendKind implements PerceptKind {
  readonly types = ['percept.trend'] as const;
  private readonly fits = new Map<string, SlidingFit>();
  private readonly said = new Map<string, Direction>();

  constructor(private readonly o: ResolvedPerceptOptions['trend']) {}

  observe(ob: Observed, out: Percept[]): void {
    const r = goodNumber(ob.entry);
    if (!r) return;
    const key = seriesKey(ob.node, ob.component, r.name);
    let fit = this.fits.get(key);
    if (!fit) this.fits.set(key, (fit = new SlidingFit()));
    const t = ob.entry.time;
    fit.push(t, r.value, ob.entry.id, this.o.windowMs);
    if (t < ob.from + this.o.windowMs || fit.count < this.o.minPoints || fit.spanMs < this.o.windowMs / 2) return;
    const unitBand = r.unit !== undefined ? this.o.stablePerHour[r.unit] : undefined;
    // Never a zero band: a series flat at 0 (darkness in lx) is stable, not rising at 0 per hour.
    const bandOf = (mean: number) => Math.max(unitBand ?? this.o.relativeStablePerHour * Math.abs(mean), 1e-9);
    const was = this.said.get(key);
    const quick = fit.slope();
    if (!Number.isFinite(quick)) return;
    const band = bandOf(fit.mean());
    const nearEdge = [band, -band, band / 2, -band / 2].some((edge) => Math.abs(quick - edge) <= NEAR * band);
    if (direction(was, quick, band) === was && !nearEdge) return;
    const exact = fit.exact();
    const rate = exact.slope;
    const next = direction(was, rate, bandOf(exact.mean));
    if (next === was || !Number.isFinite(rate)) return;
    this.said.set(key, next);
    const data: ValueMap = { node: ob.node, component: ob.component, name: r.name, direction: next, ratePerHour: Math.round(rate * 1e4) / 1e4 };
    if (r.unit !== undefined) data.unit = r.unit;
    Object.assign(
      data,
      { windowMs: this.o.windowMs, points: fit.count, at: t },
      cite(fit.count, (i) => fit.pointId(i)),
    );
    out.push({ type: 'percept.trend', data });
  }

  due(): void {}

  apply(_type: string, d: ValueMap): void {
    const dir = d.direction;
    if (dir === 'rising' || dir === 'falling' || dir === 'stable') this.said.set(seriesKey(text(d.node), text(d.component), text(d.name)), dir);
  }
}

/** The direction a rate gives, with the hysteresis of the half band on the way back to stable. */
function direction(was: Direction | undefined, rate: number, band: number): Direction {
  if (was === 'rising' && rate > band / 2) return 'rising';
  if (was === 'falling' && rate < -band / 2) return 'falling';
  if (rate >= band) return 'rising';
  if (rate <= -band) return 'falling';
  return 'stable';
}
