/**
 * The interval something is expected at: configured, or observed as the
 * median of its last `size` gaps (a single long gap does not move it).
 */
export class Cadence {
  private readonly gaps: number[] = [];

  constructor(private readonly size: number) {}

  add(gapMs: number): void {
    if (!(gapMs > 0)) return;
    this.gaps.push(gapMs);
    if (this.gaps.length > this.size) this.gaps.shift();
  }

  /** The median of the last `size` gaps; undefined until that many were seen. */
  observed(): number | undefined {
    if (this.gaps.length < this.size) return undefined;
    const s = [...this.gaps].sort((a, b) => a - b);
    const m = s.length >> 1;
    return Math.round(s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2);
  }
}
