/** One peer's clock as measured: its offset from ours, RTT-corrected. */
export interface ClockSample {
  peer: string;
  /** Peer clock minus our system clock at the midpoint of the exchange (ms). */
  offsetMs: number;
  rttMs: number;
}

export interface Consensus {
  /** Mean offset of the samples kept; NaN when none. */
  offsetMs: number;
  medianMs: number;
  /** Population standard deviation of all samples (the outlier yardstick). */
  sigmaMs: number;
  /** Standard deviation of the samples kept. */
  spreadMs: number;
  kept: ClockSample[];
  dropped: ClockSample[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function stdev(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
}

/** Disagreement below this is jitter, not a lie (the design targets ±30 s). */
export const MIN_OUTLIER_MS = 1000;

/**
 * ARCHITECTURE's rule: drop samples further than 2 standard deviations from
 * the median, average the rest. The population deviation is used: with the
 * sample deviation, one liar among four peers sits exactly at 2σ and survives.
 * The rule is scale-free, so among honest peers agreeing to a millisecond it
 * would still drop whichever jittered most (with three samples, one whenever
 * the other two happen to sit close together): samples within
 * MIN_OUTLIER_MS of the median are therefore always kept.
 */
export function consensus(samples: ClockSample[]): Consensus {
  if (samples.length === 0) return { offsetMs: NaN, medianMs: NaN, sigmaMs: NaN, spreadMs: NaN, kept: [], dropped: [] };
  const offsets = samples.map((s) => s.offsetMs);
  const med = median(offsets);
  const sigma = stdev(offsets);
  const kept = samples.filter((s) => Math.abs(s.offsetMs - med) <= Math.max(2 * sigma, MIN_OUTLIER_MS));
  const dropped = samples.filter((s) => !kept.includes(s));
  const keptOffsets = kept.map((s) => s.offsetMs);
  return { offsetMs: keptOffsets.reduce((a, b) => a + b, 0) / kept.length, medianMs: med, sigmaMs: sigma, spreadMs: stdev(keptOffsets), kept, dropped };
}
