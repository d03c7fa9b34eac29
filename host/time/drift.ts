/** Beyond this a slope is a measurement gone wrong, not a crystal (500 ppm is 43 s a day). */
const MAX_DRIFT_PPM = 500;
/** Drift needs rounds spanning at least this long. */
const DRIFT_SPAN_MS = 10 * 60_000;
/** Rounds remembered: about half an hour at the default 60 s poll. */
const ROUNDS = 32;

/**
 * How fast the peers' clock runs against the system clock, from the offsets
 * of the last rounds: the least-squares slope of offset over time, in parts
 * per million.
 */
export class DriftEstimator {
  private readonly rounds: { at: number; offset: number }[] = [];

  /** A round's consensus offset, measured at system time `at`. */
  add(at: number, offset: number): void {
    this.rounds.push({ at, offset });
    if (this.rounds.length > ROUNDS) this.rounds.shift();
  }

  get empty(): boolean {
    return this.rounds.length === 0;
  }

  /** The slope, clamped to ±500 ppm, once the rounds span 10 minutes; until then `previous`. */
  ppm(previous: number): number {
    const h = this.rounds;
    if (h.length < 3 || h[h.length - 1].at - h[0].at < DRIFT_SPAN_MS) return previous;
    const mt = h.reduce((a, p) => a + p.at, 0) / h.length;
    const mo = h.reduce((a, p) => a + p.offset, 0) / h.length;
    let num = 0;
    let den = 0;
    for (const p of h) {
      num += (p.at - mt) * (p.offset - mo);
      den += (p.at - mt) ** 2;
    }
    const ppm = den > 0 ? (num / den) * 1e6 : previous;
    return Math.max(-MAX_DRIFT_PPM, Math.min(MAX_DRIFT_PPM, ppm));
  }
}
