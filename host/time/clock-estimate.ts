import type { ClockState } from '../store/clock-state.js';

/**
 * Reading the Timekeeper's estimate (a ClockState: the peers' offset from
 * the system clock, its drift, how many sources agreed and when) at a given
 * system time. Shared by the Timekeeper and by persistedClock, so a process
 * that reads the estimate from the cartridge tells the same time.
 */

/** Below this confidence the estimate is too old to trust and the system clock is used. */
export const MIN_CONFIDENCE = 0.1;
/** Confidence halves every half hour without a successful round. */
export const HALF_LIFE_MS = 30 * 60_000;

/** The persisted estimate when its offset still applies: measured in this boot (or where boots cannot be told apart). */
export function sameBoot(e: ClockState | undefined, boot: string | undefined): ClockState | undefined {
  return e && e.bootId !== undefined && boot !== undefined && e.bootId !== boot ? undefined : e;
}

/** The estimate's offset at system time `local`, carried forward by its drift. */
export function offsetAt(e: ClockState | undefined, local: number): number {
  return e ? e.offsetMs + (e.driftPpm * (local - e.syncedAt)) / 1e6 : 0;
}

/** 0..1: 1 with 3+ sources (0.6 with fewer), halving every halfLifeMs since the round. */
export function confidenceAt(e: ClockState | undefined, local: number, halfLifeMs: number): number {
  // A clock now behind the round that set the offset has stepped back: nothing it was measured against holds.
  if (!e || e.sources === 0 || local < e.syncedAt) return 0;
  const base = e.sources >= 3 ? 1 : 0.6;
  return base * Math.pow(0.5, Math.max(0, local - e.syncedAt) / halfLifeMs);
}
