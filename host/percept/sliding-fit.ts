import { IdColumn } from './id-column.js';

const HOUR = 3_600_000;
/** Expired points are let go once they are this many and at least a quarter of those held: at most 4/3 of the window stays. */
const COMPACT_AT = 64;

/**
 * A least-squares line over the points of a sliding time window. Running
 * sums (times and values taken relative to a base, recomputed when the base
 * ages) give the slope in O(1) per point, to decide; `exact` recomputes
 * it from the points themselves, two-pass, so the figures a percept carries
 * depends only on the window's contents, never on the order of the
 * additions and removals before it (a rebuilt engine says the same).
 */
export class SlidingFit {
  private t: number[] = [];
  private v: number[] = [];
  private readonly ids = new IdColumn();
  private head = 0;
  private baseT = 0;
  private baseV = 0;
  private n = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;

  get count(): number {
    return this.n;
  }

  /** From the oldest point to the newest, in ms. */
  get spanMs(): number {
    return this.n === 0 ? 0 : this.t[this.t.length - 1] - this.t[this.head];
  }

  /** Points held: the window's and the expired ones not yet let go (at most a third of the window more, or COMPACT_AT). */
  get held(): number {
    return this.t.length;
  }

  /** The id of the window's point `i` (0: the oldest, count - 1: the newest). */
  pointId(i: number): string {
    if (!(Number.isSafeInteger(i) && i >= 0 && i < this.n)) throw new RangeError(`i must be a whole number below the window's ${this.n} points, got ${i}`);
    return this.ids.at(this.head + i);
  }

  /** Adds a point and drops those older than `windowMs` before it. */
  push(time: number, value: number, id: string, windowMs: number): void {
    if (this.n === 0 || time - this.baseT > 24 * HOUR) this.rebase(time, value);
    this.t.push(time);
    this.v.push(value);
    this.ids.push(id);
    this.add(time, value, 1);
    while (this.n > 1 && this.t[this.head] < time - windowMs) {
      this.add(this.t[this.head], this.v[this.head], -1);
      this.head++;
    }
    // In place, a quarter or more at a time: each point is moved at most three times on average.
    if (this.head >= COMPACT_AT && this.head * 4 >= this.t.length) {
      for (const a of [this.t, this.v]) {
        a.copyWithin(0, this.head);
        a.length -= this.head;
      }
      this.ids.drop(this.head);
      this.head = 0;
    }
  }

  /** Units per hour from the running sums; NaN with fewer than 2 distinct times. */
  slope(): number {
    const d = this.n * this.sxx - this.sx * this.sx;
    return d > 0 ? (this.n * this.sxy - this.sx * this.sy) / d : Number.NaN;
  }

  /** The slope and the mean, recomputed from the points. */
  exact(): { slope: number; mean: number } {
    const t0 = this.t[this.head];
    const v0 = this.v[this.head];
    let mx = 0;
    let my = 0;
    for (let i = this.head; i < this.t.length; i++) {
      mx += (this.t[i] - t0) / HOUR;
      my += this.v[i] - v0;
    }
    mx /= this.n;
    my /= this.n;
    let sxx = 0;
    let sxy = 0;
    for (let i = this.head; i < this.t.length; i++) {
      const dx = (this.t[i] - t0) / HOUR - mx;
      sxx += dx * dx;
      sxy += dx * (this.v[i] - v0 - my);
    }
    return { slope: sxx > 0 ? sxy / sxx : Number.NaN, mean: v0 + my };
  }

  /** The mean value of the window, from the running sums. */
  mean(): number {
    return this.baseV + this.sy / this.n;
  }

  private add(time: number, value: number, sign: 1 | -1): void {
    const x = (time - this.baseT) / HOUR;
    const y = value - this.baseV;
    this.n += sign;
    this.sx += sign * x;
    this.sy += sign * y;
    this.sxx += sign * x * x;
    this.sxy += sign * x * y;
  }

  /** Sums again from the points in the window, relative to a new base. */
  private rebase(time: number, value: number): void {
    this.baseT = time;
    this.baseV = value;
    this.n = 0;
    this.sx = this.sy = this.sxx = this.sxy = 0;
    for (let i = this.head; i < this.t.length; i++) this.add(this.t[i], this.v[i], 1);
  }
}
